import type { S3Client } from '@aws-sdk/client-s3';
import type { Config, Logger, MetricsRegistry, Repositories } from '@storefront/shared';
import type { StoreInvalidator } from '../storefront/store-cache.service.ts';
import { ImageBucket } from './image-bucket.ts';
import { ImageCache } from './image-cache.service.ts';
import { configureSharp, ImageProcessor } from './image-processor.ts';
import { ImageUploadService } from './image-upload.service.ts';
import { imageMetrics, type ImageMetrics } from './image.metrics.ts';
import type { ImageUrls } from './public-image.ts';
import { InFlightLimit, WorkQueue } from './work-queue.ts';

/**
 * Uploads in flight (reading, waiting or processing) per processing slot; more get 503. With the
 * defaults: 9 uploads of at most IMAGE_MAX_BYTES each in memory per process.
 */
const IN_FLIGHT_PER_SLOT = 9;

/** The images feature's part of the API's object graph. */
export interface ImageServices {
  imageUploads: ImageUploadService;
  imageCache: ImageCache;
  imageMetrics: ImageMetrics;
}

/**
 * Builds the image services over the public images bucket (S3_IMAGES_BUCKET; never the private
 * files bucket), once per process, from app-services.ts.
 */
export function createImageServices(deps: {
  config: Config;
  s3: S3Client;
  repos: Repositories;
  store: StoreInvalidator;
  metrics: MetricsRegistry;
  logger: Logger;
  imageUrls: ImageUrls;
}): ImageServices {
  const { config } = deps;
  configureSharp();
  const metrics = imageMetrics(deps.metrics);
  const inFlight = config.IMAGE_PROCESSING_CONCURRENCY * IN_FLIGHT_PER_SLOT;
  const bucket = new ImageBucket({ s3: deps.s3, bucket: config.S3_IMAGES_BUCKET });
  const processor = new ImageProcessor({
    maxPixels: config.IMAGE_MAX_PIXELS,
    queue: new WorkQueue({
      concurrency: config.IMAGE_PROCESSING_CONCURRENCY,
      // Never reached while the in-flight limit holds; a backstop.
      maxWaiting: inFlight,
    }),
    observe: metrics.processed,
  });
  return {
    imageUploads: new ImageUploadService({
      creators: deps.repos.creators,
      products: deps.repos.products,
      processor,
      inFlight: new InFlightLimit(inFlight),
      bucket,
      store: deps.store,
      logger: deps.logger.child({ module: 'images' }),
    }),
    imageCache: new ImageCache({ bucket, metrics, maxBytes: config.IMAGE_CACHE_MAX_BYTES }),
    imageMetrics: metrics,
  };
}
