import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import {
  AppError,
  IMAGE_FORMATS,
  UnsupportedMediaTypeError,
  type ImageFormat,
  type ImageRef,
} from '@storefront/shared';
import {
  AVIF_OPTIONS,
  IMAGE_MAX_SIDE,
  VARIANTS,
  WEBP_OPTIONS,
  type AcceptedImageType,
  type ImageKind,
} from './image-policy.ts';
import type { WorkQueue } from './work-queue.ts';

/**
 * libvips settings for a shared API process: one thread per image (concurrency comes from the
 * WorkQueue, so the busiest uploads take at most IMAGE_PROCESSING_CONCURRENCY cores), and no
 * operation cache (every upload is new; the cache would only hold memory).
 */
export function configureSharp(): void {
  sharp.concurrency(1);
  sharp.cache(false);
}

/** An upload whose type and size checked out, ready to process. */
export interface InspectedImage {
  body: Buffer;
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
}

/** One encoded variant. */
export interface ImageVariant {
  format: ImageFormat;
  width: number;
  height: number;
  body: Buffer;
}

/** What processing made: the variants and the reference that names them. */
export interface ProcessedImage {
  ref: ImageRef;
  variants: ImageVariant[];
}

// The format sharp reads for each accepted type (AVIF is HEIF with AV1 compression).
const SHARP_FORMAT: Record<AcceptedImageType, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'heif',
};

function invalidImage(cause: unknown): AppError {
  return new AppError('INVALID_IMAGE', 422, 'The image could not be decoded', { cause });
}

/** EXIF orientations 5–8 turn the image a quarter: width and height swap once upright. */
function upright(meta: Metadata): { width: number; height: number } {
  const turned = meta.orientation !== undefined && meta.orientation >= 5;
  return turned
    ? { width: meta.height, height: meta.width }
    : { width: meta.width, height: meta.height };
}

/**
 * Checks uploaded bytes and turns them into public variants with sharp: content sniffed, size
 * limits read from the header before anything is decoded, then decoded once (upright, sRGB,
 * no metadata), resized to the kind's widths and encoded as AVIF and WebP.
 */
export class ImageProcessor {
  private readonly maxPixels: number;
  private readonly queue: WorkQueue;
  private readonly observe: (kind: ImageKind, seconds: number) => void;

  constructor(deps: {
    maxPixels: number;
    queue: WorkQueue;
    /** Records one processing run's duration (image_processing_seconds). */
    observe: (kind: ImageKind, seconds: number) => void;
  }) {
    this.maxPixels = deps.maxPixels;
    this.queue = deps.queue;
    this.observe = deps.observe;
  }

  /**
   * 415 unless the content is the declared type (by magic bytes, and as sharp reads it); 422
   * when it is unreadable or, per its header, over IMAGE_MAX_PIXELS or IMAGE_MAX_SIDE. Decodes
   * nothing: a decompression bomb is refused here from its header alone.
   */
  async inspect(body: Buffer, declared: AcceptedImageType): Promise<InspectedImage> {
    const detected = await fileTypeFromBuffer(body);
    if (detected?.mime !== declared) {
      throw new UnsupportedMediaTypeError('Image content does not match its declared type', {
        declared,
        detected: detected?.mime ?? 'unknown',
      });
    }
    let meta: Metadata;
    try {
      meta = await sharp(body, { limitInputPixels: false }).metadata();
    } catch (err) {
      throw invalidImage(err);
    }
    const format =
      meta.format === 'heif' && meta.compression !== 'av1'
        ? `heif/${meta.compression}`
        : meta.format;
    if (format !== SHARP_FORMAT[declared]) {
      throw new UnsupportedMediaTypeError('Image content does not match its declared type', {
        declared,
        detected: format,
      });
    }
    const { width, height } = upright(meta);
    if (!(width > 0 && height > 0)) throw invalidImage(undefined);
    if (width * height > this.maxPixels || width > IMAGE_MAX_SIDE || height > IMAGE_MAX_SIDE) {
      throw new AppError('IMAGE_TOO_LARGE', 422, 'The image has too many pixels', {
        details: { width, height, maxPixels: this.maxPixels, maxSide: IMAGE_MAX_SIDE },
      });
    }
    return { body, width, height };
  }

  /**
   * Makes every variant of `image` for `kind`, waiting for a processing slot (503 when too many
   * wait). 422 when the pixel data turns out corrupt.
   */
  async process(image: InspectedImage, kind: ImageKind): Promise<ProcessedImage> {
    return this.queue.run(async () => {
      const start = performance.now();
      try {
        return await this.encode(image, kind);
      } finally {
        this.observe(kind, (performance.now() - start) / 1000);
      }
    });
  }

  private async encode(image: InspectedImage, kind: ImageKind): Promise<ProcessedImage> {
    const spec = VARIANTS[kind];
    const top = spec.widths.at(-1) as number;
    // The largest variant's size: never enlarged, squares cropped, covers at most maxAspect tall.
    let width: number;
    let height: number;
    if (spec.square) {
      width = height = Math.min(top, image.width, image.height);
    } else {
      const scale = Math.min(1, top / image.width, (top * spec.maxAspect) / image.height);
      width = Math.max(1, Math.round(image.width * scale));
      height = Math.max(1, Math.round(image.height * scale));
    }

    // Decode once: upright (EXIF orientation applied), sRGB, 8-bit, and no metadata at all
    // (raw pixels carry no EXIF, GPS, XMP or ICC), so nothing the camera wrote can reach a buyer.
    let pixels: { data: Buffer; info: OutputInfo };
    try {
      pixels = await sharp(image.body, { limitInputPixels: this.maxPixels, failOn: 'error' })
        .rotate()
        .resize({ width, height, fit: 'cover', position: 'centre' })
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
    } catch (err) {
      throw invalidImage(err);
    }
    const raw = {
      width: pixels.info.width,
      height: pixels.info.height,
      channels: pixels.info.channels,
    };

    const widths = [...new Set(spec.widths.map((w) => Math.min(w, width)))].sort((a, b) => a - b);
    const variants: ImageVariant[] = [];
    // One variant at a time: this run holds one processing slot, so it uses one core.
    for (const w of widths) {
      const h = spec.square ? w : Math.max(1, Math.round((height * w) / width));
      const base = sharp(pixels.data, { raw });
      const sized = w === width ? base : base.resize({ width: w, height: h, fit: 'fill' });
      for (const format of IMAGE_FORMATS) {
        const encoder =
          format === 'avif' ? sized.clone().avif(AVIF_OPTIONS) : sized.clone().webp(WEBP_OPTIONS);
        variants.push({ format, width: w, height: h, body: await encoder.toBuffer() });
      }
    }
    return {
      ref: {
        hash: contentHash(variants),
        width,
        height,
        widths,
        formats: [...IMAGE_FORMATS],
      },
      variants,
    };
  }
}

/**
 * 128 bits of SHA-256 over every variant's bytes (with its format and size), in hex: the same
 * name can only ever hold the same bytes, and any change of content or settings is a new name.
 */
function contentHash(variants: readonly ImageVariant[]): string {
  const h = createHash('sha256');
  for (const v of variants) {
    h.update(`${v.format}:${v.width}x${v.height}:${v.body.length}\n`);
    h.update(v.body);
  }
  return h.digest('hex').slice(0, 32);
}
