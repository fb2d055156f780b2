import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ServiceUnavailableError } from '@storefront/shared';
import {
  IMAGE_CONTENT_TYPES,
  IMMUTABLE_CACHE_CONTROL,
  imageFileName,
  imageKey,
} from './image-names.ts';
import type { ImageVariant } from './image-processor.ts';

/** A stored variant as read back: its bytes and content type. */
export interface StoredImage {
  body: Buffer;
  contentType: string;
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/**
 * The public images bucket (S3_IMAGES_BUCKET), apart from the private product files bucket:
 * only content-hashed variants under `img/`, written once and never overwritten with other
 * bytes (the name is a digest of the bytes), never deleted by the API.
 */
export class ImageBucket {
  private readonly s3: S3Client;
  private readonly bucket: string;

  constructor(deps: { s3: S3Client; bucket: string }) {
    this.s3 = deps.s3;
    this.bucket = deps.bucket;
  }

  /** Stores every variant of image `hash`; 503 when storage fails. */
  async putAll(hash: string, variants: readonly ImageVariant[]): Promise<void> {
    try {
      await Promise.all(
        variants.map((v) =>
          this.s3.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: imageKey(imageFileName(hash, v.width, v.format)),
              Body: v.body,
              ContentLength: v.body.length,
              ContentType: IMAGE_CONTENT_TYPES[v.format],
              // For a CDN reading the bucket directly; our own route sends the same.
              CacheControl: IMMUTABLE_CACHE_CONTROL,
              ServerSideEncryption: 'AES256',
            }),
          ),
        ),
      );
    } catch (err) {
      throw new ServiceUnavailableError('Image storage is unavailable; try again shortly', err);
    }
  }

  /** A variant by file name, or null when there is none; 503 when storage fails. */
  async get(fileName: string, contentType: string): Promise<StoredImage | null> {
    try {
      const out = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: imageKey(fileName) }),
      );
      if (!out.Body) return null;
      return { body: Buffer.from(await out.Body.transformToByteArray()), contentType };
    } catch (err) {
      if (isMissing(err)) return null;
      throw new ServiceUnavailableError('Image storage is unavailable; try again shortly', err);
    }
  }
}
