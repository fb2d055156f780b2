import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { fileTypeFromBuffer } from 'file-type';
import {
  AppError,
  NotFoundError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  type Logger,
  type ProductFile,
  type ProductRepository,
} from '@storefront/shared';
import type { AllowedType } from './file-type-policy.ts';
import type { ProductFileBody } from '../openapi/response.schemas.ts';

// Enough for every signature in the allowlist (file-type's own "reasonable detection size").
const SAMPLE_BYTES = 4100;

/** A checked upload request: headers already validated against the allowlist. */
export interface UploadInput {
  creatorId: string;
  productId: string;
  fileName: string;
  type: AllowedType;
  size: number;
  content: Readable;
}

/** What the creator sees of a stored file (the storage key stays private; `productFile`). */
export type UploadedFileView = ProductFileBody;

/** Why an upload was refused, for the `uploads_total` metric. */
export type UploadOutcome = 'stored' | 'not_found' | 'type_mismatch' | 'failed';

/**
 * Stores a product's file: checks ownership before reading the body, detects the type from the
 * first bytes and requires it to match the declared type, streams the rest to S3 (AES-256 at
 * rest, a fresh unguessable key per upload), then points the product at it.
 *
 * The file it replaced is kept: paid orders point at the exact object they were delivered, and
 * a delivery may be snapshotting the old key while this upload lands, so no replaced object is
 * ever deleted here (docs/architecture.md, "Product files are never deleted").
 */
export class UploadService {
  private readonly deps: {
    files: ProductRepository;
    s3: S3Client;
    bucket: string;
    logger: Logger;
  };

  constructor(deps: UploadService['deps']) {
    this.deps = deps;
  }

  async upload(input: UploadInput): Promise<UploadedFileView> {
    const { files, s3, bucket, logger } = this.deps;
    if (!(await files.isOwnedBy(input.creatorId, input.productId))) {
      throw new NotFoundError('Product not found');
    }

    const iterator = (input.content as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const head = await readSample(iterator, Math.min(SAMPLE_BYTES, input.size));
    const detected = await fileTypeFromBuffer(head);
    if (detected?.mime !== input.type.mime) {
      throw new UnsupportedMediaTypeError('File content does not match its declared type', {
        declared: input.type.mime,
        detected: detected?.mime ?? 'unknown',
      });
    }

    const key = `products/${input.productId}/${randomBytes(16).toString('hex')}`;
    const body = { failed: false };
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          // Backpressure holds end to end: S3 pulls, the generator pulls from the request.
          Body: Readable.from(remaining(head, iterator, body), { objectMode: false }),
          ContentLength: input.size,
          ContentType: input.type.mime,
          ServerSideEncryption: 'AES256',
        }),
      );
    } catch (err) {
      // S3 stores an object whole or not at all, so a failed put leaves nothing behind.
      if (body.failed) throw new AppError('REQUEST_ABORTED', 400, 'Upload aborted by the client');
      throw new ServiceUnavailableError('File storage is unavailable; try again shortly', err);
    }

    const file: ProductFile = {
      key,
      name: input.fileName,
      contentType: input.type.mime,
      size: input.size,
      uploadedAt: new Date(),
    };
    const replaced = await files.replaceFile(input.creatorId, input.productId, file);
    if (replaced === undefined) {
      // Deleted while the upload ran: keep no orphan.
      await this.deleteQuietly(key);
      throw new NotFoundError('Product not found');
    }
    logger.info('product file stored', {
      productId: input.productId,
      size: input.size,
      contentType: input.type.mime,
      replaced: replaced !== null,
    });
    return {
      name: file.name,
      contentType: file.contentType,
      size: file.size,
      uploadedAt: file.uploadedAt.toISOString(),
    };
  }

  // Only for the object this upload just wrote when its product vanished meanwhile: no order
  // can point at it, since no product ever did.
  private async deleteQuietly(key: string): Promise<void> {
    try {
      await this.deps.s3.send(new DeleteObjectCommand({ Bucket: this.deps.bucket, Key: key }));
    } catch (err) {
      this.deps.logger.warn('could not delete an orphaned upload', { key, err });
    }
  }
}

/** Maps an upload failure to its metric outcome. */
export function uploadOutcome(err: unknown): UploadOutcome {
  if (err instanceof NotFoundError) return 'not_found';
  if (err instanceof UnsupportedMediaTypeError) return 'type_mismatch';
  return 'failed';
}

async function readSample(iterator: AsyncIterator<Buffer>, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.length;
  }
  if (length < bytes) throw new AppError('INCOMPLETE_BODY', 400, 'Request body ended early');
  return Buffer.concat(chunks);
}

async function* remaining(
  head: Buffer,
  iterator: AsyncIterator<Buffer>,
  state: { failed: boolean },
): AsyncGenerator<Buffer> {
  yield head;
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      yield next.value;
  } catch (err) {
    state.failed = true;
    throw err;
  }
}
