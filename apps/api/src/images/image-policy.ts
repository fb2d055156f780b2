/** What an image is for: a product's cover, or a creator's avatar. */
export type ImageKind = 'cover' | 'avatar';

/** The only types accepted for upload, declared and sniffed alike (no GIF, SVG, HEIC, TIFF…). */
export const ACCEPTED_IMAGE_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/avif',
] as const;
export type AcceptedImageType = (typeof ACCEPTED_IMAGE_TYPES)[number];

const ACCEPTED: ReadonlySet<string> = new Set(ACCEPTED_IMAGE_TYPES);

/** The accepted type a Content-Type header names (parameters and case ignored), if any. */
export function acceptedImageType(contentType: string | undefined): AcceptedImageType | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  return bare !== undefined && ACCEPTED.has(bare) ? (bare as AcceptedImageType) : undefined;
}

/**
 * Longest side accepted, in pixels (on top of IMAGE_MAX_PIXELS): WebP cannot encode more, and
 * it keeps extreme strips (1 × 40,000,000) out.
 */
export const IMAGE_MAX_SIDE = 16_383;

/** The variants made of one upload. */
export interface VariantSpec {
  /** Target widths, ascending; a smaller source gets its own width as the largest instead. */
  widths: readonly number[];
  /** Avatars are cropped to a centred square. */
  square: boolean;
  /** Covers taller than this × their width are scaled to fit it (bounds the encoding work). */
  maxAspect: number;
}

export const VARIANTS: Readonly<Record<ImageKind, VariantSpec>> = {
  cover: { widths: [160, 320, 640, 960], square: false, maxAspect: 2 },
  avatar: { widths: [96, 192, 384], square: true, maxAspect: 1 },
};

// Measured on the 2-core development box (docs/performance.md, "Images"): AVIF effort 4 took
// about five times as long as effort 2 for files within 5 % of the size; WebP's default effort
// is cheap.
export const AVIF_OPTIONS = { quality: 50, effort: 2 } as const;
export const WEBP_OPTIONS = { quality: 78, effort: 4 } as const;
