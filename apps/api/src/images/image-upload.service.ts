import type { Readable } from 'node:stream';
import {
  AppError,
  NotFoundError,
  type CreatorRepository,
  type ImageRef,
  type Logger,
  type ProductRepository,
} from '@storefront/shared';
import type { CurrentCreator } from '../auth/auth.middleware.ts';
import { storefrontsOfWrite, type StoreInvalidator } from '../storefront/store-cache.service.ts';
import type { ImageBucket } from './image-bucket.ts';
import type { AcceptedImageType } from './image-policy.ts';
import type { ImageProcessor } from './image-processor.ts';
import type { InFlightLimit } from './work-queue.ts';

/** A checked upload request: size and declared type already validated from the headers. */
export interface ImageUploadInput {
  type: AcceptedImageType;
  size: number;
  content: Readable;
}

/** Where an image goes: a product's cover, or the creator's avatar. */
export type ImageTarget = { kind: 'cover'; productId: string } | { kind: 'avatar' };

/**
 * Covers and avatars: checks ownership before reading a byte, then sniffs, bounds, processes
 * (image-processor.ts), stores the variants in the public images bucket, points the product or
 * creator at them and invalidates the storefront before answering. Replaced or removed images'
 * objects stay (they are immutable, and a cached page may still name them).
 */
export class ImageUploadService {
  private readonly deps: {
    creators: CreatorRepository;
    products: ProductRepository;
    processor: ImageProcessor;
    /** Uploads past the ownership check, body reading included (503 beyond it). */
    inFlight: InFlightLimit;
    bucket: ImageBucket;
    store: StoreInvalidator;
    logger: Logger;
  };

  constructor(deps: ImageUploadService['deps']) {
    this.deps = deps;
  }

  async upload(
    me: CurrentCreator,
    target: ImageTarget,
    input: ImageUploadInput,
  ): Promise<ImageRef> {
    const { products, processor, bucket, logger } = this.deps;
    if (target.kind === 'cover' && !(await products.isOwnedBy(me.id, target.productId))) {
      throw new NotFoundError('Product not found');
    }
    return this.deps.inFlight.run(async () => {
      const body = await readBody(input.content, input.size);
      const inspected = await processor.inspect(body, input.type);
      const { ref, variants } = await processor.process(inspected, target.kind);
      // Objects first, reference second: a URL is never handed out before its bytes exist.
      await bucket.putAll(ref.hash, variants);
      await this.setRef(me, target, ref);
      logger.info('image stored', {
        kind: target.kind,
        hash: ref.hash,
        bytes: body.length,
        width: ref.width,
        height: ref.height,
      });
      return ref;
    });
  }

  /** Removes the reference (the objects stay); 404 for a product that is not the caller's. */
  async remove(me: CurrentCreator, target: ImageTarget): Promise<void> {
    await this.setRef(me, target, null);
  }

  private async setRef(
    me: CurrentCreator,
    target: ImageTarget,
    ref: ImageRef | null,
  ): Promise<void> {
    const { creators, products, store } = this.deps;
    let username: string | undefined;
    if (target.kind === 'cover') {
      const product = await products.setImageForOwner(me.id, target.productId, ref);
      if (!product) throw new NotFoundError('Product not found');
      username = (await creators.findIdentityById(me.id))?.username;
    } else {
      const creator = await creators.setAvatar(me.id, ref);
      if (!creator) throw new NotFoundError('Account not found');
      username = creator.username;
    }
    // The username is read after the write (see storefrontsOfWrite).
    await store.invalidate(storefrontsOfWrite(me.username, username));
  }
}

/** The whole request body (exactly `size` bytes, as Content-Length declared). */
async function readBody(content: Readable, size: number): Promise<Buffer> {
  const body = Buffer.allocUnsafe(size);
  let length = 0;
  for await (const chunk of content as AsyncIterable<Buffer>) {
    if (length + chunk.length > size) break; // HTTP framing prevents this; never write past it
    chunk.copy(body, length);
    length += chunk.length;
  }
  if (length < size) throw new AppError('INCOMPLETE_BODY', 400, 'Request body ended early');
  return body;
}
