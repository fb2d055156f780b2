import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { imageRefSchema, type ImageRef } from '../images/image-ref.model.ts';

/** Smallest price Razorpay accepts, in paise (₹1). */
export const PRODUCT_MIN_PRICE = 100;
/** Largest price a product may carry, in paise (₹5,00,000). */
export const PRODUCT_MAX_PRICE = 50_000_000;
/** Bounds a storefront response: a creator has at most this many products (active or draft). */
export const MAX_PRODUCTS_PER_CREATOR = 200;

export const PRODUCT_STATUSES = ['active', 'draft'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** The downloadable file behind a product; written by the upload flow, never public. */
export interface ProductFile {
  key: string;
  name: string;
  contentType: string;
  size: number;
  uploadedAt: Date;
}

/** A digital product a creator sells. */
export interface Product {
  _id: Types.ObjectId;
  creatorId: Types.ObjectId;
  title: string;
  description: string;
  /** Integer paise, at least PRODUCT_MIN_PRICE. */
  price: number;
  currency: 'INR';
  status: ProductStatus;
  /** Display order on the storefront, ascending (ties broken by `_id`). */
  position: number;
  coverImageUrl?: string;
  /** The uploaded cover image (public, served from the images bucket); see ImageRef. */
  image?: ImageRef;
  file?: ProductFile;
  /**
   * Set when the creator deletes the product. The document stays (as `draft`) so orders placed
   * before the deletion can still be fulfilled; it no longer appears anywhere for the creator.
   */
  deletedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const fileSchema = new Schema<ProductFile>(
  {
    key: { type: String, required: true },
    name: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true, min: 0 },
    uploadedAt: { type: Date, required: true },
  },
  { _id: false },
);

const productSchema = new Schema<Product>(
  {
    creatorId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    price: {
      type: Number,
      required: true,
      min: PRODUCT_MIN_PRICE,
      max: PRODUCT_MAX_PRICE,
      validate: {
        validator: Number.isInteger,
        message: 'price must be an integer number of paise',
      },
    },
    currency: { type: String, required: true, enum: ['INR'], default: 'INR' },
    status: { type: String, required: true, enum: PRODUCT_STATUSES, default: 'draft' },
    position: { type: Number, required: true, default: 0 },
    coverImageUrl: { type: String },
    image: { type: imageRefSchema },
    file: { type: fileSchema },
    deletedAt: { type: Date },
  },
  { timestamps: true, collection: 'products', versionKey: false },
);
// The storefront query: one creator's active products in display order.
productSchema.index({ creatorId: 1, status: 1, position: 1 });

/** The `products` model bound to `conn`. */
export function productModel(conn: Connection): Model<Product> {
  return (
    (conn.models.Product as Model<Product> | undefined) ??
    conn.model<Product>('Product', productSchema)
  );
}
