import type { ImageFormat } from '@storefront/shared';

/** Where public images are served: `GET /img/<hash>-<width>.<format>` (see image-serve.routes.ts). */
export const IMAGES_PATH = '/img';
export const IMAGES_ROUTE = `${IMAGES_PATH}/:name`;

/** What browsers are told a variant is, by format. */
export const IMAGE_CONTENT_TYPES: Readonly<Record<ImageFormat, string>> = {
  avif: 'image/avif',
  webp: 'image/webp',
};

/** Images are immutable: a name never changes content, so anyone may keep it for a year. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

// 32 hex digits (128 bits of SHA-256), a width without leading zeros, one of our formats.
const NAME = /^([0-9a-f]{32})-([1-9][0-9]{0,4})\.(avif|webp)$/;

/** One stored variant's name: `<hash>-<width>.<format>`. */
export interface ImageName {
  hash: string;
  width: number;
  format: ImageFormat;
}

/** The file name of a variant, as it appears in URLs and (under `img/`) in the bucket. */
export function imageFileName(hash: string, width: number, format: ImageFormat): string {
  return `${hash}-${width}.${format}`;
}

/** The parts of a variant's file name, or undefined when it cannot be one. */
export function parseImageName(name: string): ImageName | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  return { hash: m[1] as string, width: Number(m[2]), format: m[3] as ImageFormat };
}

/** The object key of a variant in the images bucket. */
export function imageKey(fileName: string): string {
  return `img/${fileName}`;
}
