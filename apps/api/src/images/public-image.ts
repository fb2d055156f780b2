import { IMAGE_FORMATS, type ImageFormat, type ImageRef } from '@storefront/shared';
import type { PublicImageBody } from '../openapi/response.schemas.ts';
import { IMAGE_CONTENT_TYPES, IMAGES_PATH, imageFileName } from './image-names.ts';

/** An image as pages and API clients get it (its schema: `publicImage` in response.schemas.ts). */
export type PublicImage = PublicImageBody;

/** Turns a stored reference into its public form; null when there is no image. */
export type ImageUrls = (ref: ImageRef | null | undefined) => PublicImage | null;

// The fallback is the largest variant at most this wide: sharp enough for a card, not heavy.
const FALLBACK_MAX_WIDTH = 640;

/**
 * Builds PublicImage values whose URLs start with `baseUrl` (PUBLIC_IMAGES_BASE_URL, e.g. a CDN
 * in front of /img), or with the API's own relative `/img` when it is undefined.
 */
export function imageUrls(baseUrl: string | undefined): ImageUrls {
  const base = baseUrl ?? IMAGES_PATH;
  return (ref) => {
    if (!ref) return null;
    const formats = IMAGE_FORMATS.filter((f) => ref.formats.includes(f));
    const widths = [...ref.widths].sort((a, b) => a - b);
    const smallest = widths[0];
    const fallbackFormat = formats.includes('webp') ? 'webp' : formats.at(-1);
    if (smallest === undefined || fallbackFormat === undefined) return null;
    const url = (width: number, format: ImageFormat) =>
      `${base}/${imageFileName(ref.hash, width, format)}`;
    const fallbackWidth = widths.filter((w) => w <= FALLBACK_MAX_WIDTH).at(-1) ?? smallest;
    return {
      width: ref.width,
      height: ref.height,
      sources: formats.map((format) => ({
        type: IMAGE_CONTENT_TYPES[format],
        srcset: widths.map((w) => `${url(w, format)} ${w}w`).join(', '),
      })),
      src: url(fallbackWidth, fallbackFormat),
    };
  };
}
