import { Schema } from 'mongoose';

/** Encodings every stored image has, best first (what a `<picture>` lists). */
export const IMAGE_FORMATS = ['avif', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/**
 * A processed, public image (a product cover or a creator's avatar): the variants
 * `img/<hash>-<width>.<format>` in the images bucket, one per width and format. The hash is a
 * digest of every variant's bytes, so new content always gets new names and a stored object is
 * never replaced by different bytes.
 */
export interface ImageRef {
  hash: string;
  /** Size of the largest variant, in pixels. */
  width: number;
  height: number;
  /** Widths of the variants, ascending; the last is `width`. */
  widths: number[];
  formats: ImageFormat[];
}

/** Sub-document schema of an {@link ImageRef}. */
export const imageRefSchema = new Schema<ImageRef>(
  {
    hash: { type: String, required: true },
    width: { type: Number, required: true, min: 1 },
    height: { type: Number, required: true, min: 1 },
    widths: { type: [Number], required: true },
    formats: { type: [String], enum: IMAGE_FORMATS, required: true },
  },
  { _id: false },
);
