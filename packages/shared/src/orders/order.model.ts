import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { ORDER_STATUSES, type OrderStatus } from './order-state.ts';
import { maskedText } from '../privacy/card-numbers.ts';

/** A buyer's order for one product. */
export interface Order {
  _id: Types.ObjectId;
  creatorId: Types.ObjectId;
  productId: Types.ObjectId;
  /** Snapshot at checkout so later product edits do not change what was bought. */
  productTitle: string;
  amount: number;
  currency: 'INR';
  status: OrderStatus;
  buyer: { email: string; contact?: string };
  /** `platform` or the creator id whose Razorpay account holds the gateway order. */
  gatewayAccount: string;
  gatewayOrderId?: string;
  paymentId?: string;
  paidAt?: Date;
  lastPaymentError?: { code?: string; description?: string; reason?: string; paymentId?: string };
  /** SHA-256 of the order access token given to the buyer; the token itself is never stored. */
  accessTokenHash: string;
  delivery?: {
    status: 'queued' | 'delivered';
    queuedAt?: Date;
    deliveredAt?: Date;
    /** The exact object delivered; never deleted while the order exists. */
    fileKey?: string;
    /** The name the creator uploaded it under, offered to the buyer's browser. */
    fileName?: string;
  };
  createdAt: Date;
  updatedAt: Date;
}

const orderSchema = new Schema<Order>(
  {
    creatorId: { type: Schema.Types.ObjectId, required: true, index: true },
    productId: { type: Schema.Types.ObjectId, required: true },
    productTitle: { type: String, required: true },
    amount: { type: Number, required: true, min: 100 },
    currency: { type: String, required: true, enum: ['INR'], default: 'INR' },
    status: { type: String, required: true, enum: ORDER_STATUSES, default: 'created' },
    buyer: {
      email: { type: String, required: true },
      contact: { type: String },
    },
    gatewayAccount: { type: String, required: true },
    gatewayOrderId: { type: String },
    paymentId: { type: String },
    paidAt: { type: Date },
    lastPaymentError: {
      code: maskedText,
      description: maskedText,
      reason: maskedText,
      paymentId: String,
    },
    accessTokenHash: { type: String, required: true },
    delivery: {
      status: { type: String, enum: ['queued', 'delivered'] },
      queuedAt: Date,
      deliveredAt: Date,
      fileKey: String,
      fileName: String,
    },
  },
  { timestamps: true, collection: 'orders', versionKey: false },
);
orderSchema.index(
  { gatewayOrderId: 1 },
  { unique: true, partialFilterExpression: { gatewayOrderId: { $exists: true } } },
);
// Reconciliation scans pending orders oldest first and resumes after (createdAt, _id).
orderSchema.index({ status: 1, createdAt: 1, _id: 1 });
// The sweeper finds paid orders whose delivery was queued but may have no job.
orderSchema.index(
  { 'delivery.status': 1, 'delivery.queuedAt': 1 },
  { partialFilterExpression: { 'delivery.status': 'queued' } },
);

/** The `orders` model bound to `conn`. */
export function orderModel(conn: Connection): Model<Order> {
  return (conn.models.Order as Model<Order> | undefined) ?? conn.model<Order>('Order', orderSchema);
}
