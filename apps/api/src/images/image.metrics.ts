import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';
import type { ImageKind } from './image-policy.ts';

/** Why an image upload ended: a bounded label set for image_uploads_total. */
export type ImageUploadOutcome =
  | 'stored'
  | 'removed'
  | 'bad_request'
  | 'too_large'
  | 'unsupported_type'
  | 'too_many_pixels'
  | 'invalid_image'
  | 'not_found'
  | 'busy'
  | 'failed';

/** Image metrics: uploads by kind and outcome, processing time, and the serving cache. */
export function imageMetrics(registry: MetricsRegistry) {
  const uploads = getOrCreateMetric(
    registry,
    'image_uploads_total',
    () =>
      new promClient.Counter({
        name: 'image_uploads_total',
        help: 'Cover and avatar uploads and removals by kind and outcome',
        labelNames: ['kind', 'outcome'],
        registers: [registry],
      }),
  );
  const processing = getOrCreateMetric(
    registry,
    'image_processing_seconds',
    () =>
      new promClient.Histogram({
        name: 'image_processing_seconds',
        help: 'Time to decode, resize and encode every variant of one upload (failed runs included, the wait for a slot not)',
        labelNames: ['kind'],
        buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
        registers: [registry],
      }),
  );
  const hits = getOrCreateMetric(
    registry,
    'image_cache_hits_total',
    () =>
      new promClient.Counter({
        name: 'image_cache_hits_total',
        help: 'GET /img/ requests answered from the in-process image cache',
        registers: [registry],
      }),
  );
  const misses = getOrCreateMetric(
    registry,
    'image_cache_misses_total',
    () =>
      new promClient.Counter({
        name: 'image_cache_misses_total',
        help: 'GET /img/ requests that had to read the images bucket (or wait for a read in flight)',
        registers: [registry],
      }),
  );
  return {
    upload: (kind: ImageKind, outcome: ImageUploadOutcome) => uploads.inc({ kind, outcome }),
    processed: (kind: ImageKind, seconds: number) => processing.observe({ kind }, seconds),
    cacheHit: () => hits.inc(),
    cacheMiss: () => misses.inc(),
    /** Registers the cache's size gauge, read at scrape time. */
    cacheBytes: (read: () => number) =>
      getOrCreateMetric(
        registry,
        'image_cache_bytes',
        () =>
          new promClient.Gauge({
            name: 'image_cache_bytes',
            help: 'Bytes of encoded images held by the in-process image cache',
            registers: [registry],
            collect() {
              this.set(read());
            },
          }),
      ),
  };
}

export type ImageMetrics = ReturnType<typeof imageMetrics>;
