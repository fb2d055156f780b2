import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * The record that a paid order's product was delivered: one document per order (unique
 * `orderId`), written once. `fileKey` is the product file's S3 key at delivery time, so later
 * product edits do not change what the buyer downloads.
 */
export interface Delivery {
  _id: Types.ObjectId;
  orderId: Types.ObjectId;
  productId: Types.ObjectId;
  creatorId: Types.ObjectId;
  /** Absent when the product had no file yet (docs/operations.md, "Webhooks, DLQ and replay"). */
  fileKey?: string;
  fileName?: string;
  deliveredAt: Date;
}

const deliverySchema = new Schema<Delivery>(
  {
    orderId: { type: Schema.Types.ObjectId, required: true },
    productId: { type: Schema.Types.ObjectId, required: true },
    creatorId: { type: Schema.Types.ObjectId, required: true, index: true },
    fileKey: String,
    fileName: String,
    deliveredAt: { type: Date, required: true },
  },
  { collection: 'deliveries', versionKey: false },
);
// Exactly one delivery per order, whatever retries or duplicate jobs do.
deliverySchema.index({ orderId: 1 }, { unique: true });

/** The `deliveries` model bound to `conn`. */
export function deliveryModel(conn: Connection): Model<Delivery> {
  return (
    (conn.models.Delivery as Model<Delivery> | undefined) ??
    conn.model<Delivery>('Delivery', deliverySchema)
  );
}
