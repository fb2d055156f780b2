import { LRUCache } from 'lru-cache';
import { IMAGE_CONTENT_TYPES, imageFileName, type ImageName } from './image-names.ts';
import type { ImageBucket } from './image-bucket.ts';
import type { ImageMetrics } from './image.metrics.ts';

/** A variant ready to send: bytes, type and a strong ETag (the name is the content's digest). */
export interface ServedImage {
  body: Buffer;
  contentType: string;
  etag: string;
}

// Bookkeeping per entry on top of its bytes (key, headers, LRU node).
const ENTRY_OVERHEAD = 256;

/**
 * The images GET /img/ serves, from a bounded in-process LRU (IMAGE_CACHE_MAX_BYTES) in front of
 * the images bucket. Entries never go stale (names are content-addressed), so there is no TTL
 * and no invalidation; concurrent misses of one name share one bucket read.
 */
export class ImageCache {
  private readonly bucket: ImageBucket;
  private readonly metrics: ImageMetrics;
  private readonly lru: LRUCache<string, ServedImage>;
  private readonly inflight = new Map<string, Promise<ServedImage | null>>();

  constructor(deps: { bucket: ImageBucket; metrics: ImageMetrics; maxBytes: number }) {
    this.bucket = deps.bucket;
    this.metrics = deps.metrics;
    this.lru = new LRUCache<string, ServedImage>({
      maxSize: deps.maxBytes,
      // One huge variant must not flush every hot one; it is served, just not kept.
      maxEntrySize: Math.max(1, Math.floor(deps.maxBytes / 8)),
      sizeCalculation: (v) => v.body.length + ENTRY_OVERHEAD,
    });
    deps.metrics.cacheBytes(() => this.lru.calculatedSize);
  }

  /** The variant from memory, without waiting, or undefined (counted as a hit when found). */
  peek(name: ImageName): ServedImage | undefined {
    const hit = this.lru.get(imageFileName(name.hash, name.width, name.format));
    if (hit !== undefined) this.metrics.cacheHit();
    return hit;
  }

  /** The variant from the bucket (kept in memory when it fits), or null when there is none. */
  load(name: ImageName): Promise<ServedImage | null> {
    this.metrics.cacheMiss();
    const fileName = imageFileName(name.hash, name.width, name.format);
    let flight = this.inflight.get(fileName);
    if (flight === undefined) {
      flight = this.read(fileName, name).finally(() => this.inflight.delete(fileName));
      this.inflight.set(fileName, flight);
    }
    return flight;
  }

  private async read(fileName: string, name: ImageName): Promise<ServedImage | null> {
    const stored = await this.bucket.get(fileName, IMAGE_CONTENT_TYPES[name.format]);
    if (stored === null) return null;
    const image = { body: stored.body, contentType: stored.contentType, etag: `"${fileName}"` };
    this.lru.set(fileName, image);
    return image;
  }
}
