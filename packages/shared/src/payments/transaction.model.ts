import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { maskedText } from '../privacy/card-numbers.ts';

/** Who talked to the gateway. */
export type TransactionSource = 'checkout' | 'webhook' | 'reconciliation' | 'operator';

/** A payment as seen in one gateway interaction: id, status and amount only (never card data). */
export interface SeenPayment {
  id: string;
  status: string;
  amount: number;
}

/** One entry of the append-only log of gateway interactions. */
export interface Transaction {
  _id: Types.ObjectId;
  orderId?: Types.ObjectId;
  gatewayOrderId?: string;
  source: TransactionSource;
  /** Webhook event name or reconciliation step. */
  event?: string;
  eventId?: string;
  paymentId?: string;
  paymentStatus?: string;
  amount?: number;
  payments?: SeenPayment[];
  /** What the interaction did: `paid`, `already_paid`, `payment_failed`, `expired`, `error`… */
  outcome: string;
  error?: string;
  /**
   * Set on entries that must exist at most once (e.g. `paid:<orderId>`): a unique index turns a
   * repeated write into a no-op, so the log stays consistent with the orders under retries.
   */
  dedupeKey?: string;
  createdAt: Date;
}

const transactionSchema = new Schema<Transaction>(
  {
    orderId: { type: Schema.Types.ObjectId, index: true },
    gatewayOrderId: String,
    source: { type: String, required: true },
    event: String,
    eventId: String,
    paymentId: String,
    paymentStatus: String,
    amount: Number,
    payments: [{ _id: false, id: String, status: String, amount: Number }],
    outcome: { type: String, required: true },
    error: maskedText,
    dedupeKey: String,
  },
  {
    collection: 'transactions',
    versionKey: false,
    timestamps: { createdAt: true, updatedAt: false },
  },
);
transactionSchema.index(
  { dedupeKey: 1 },
  { unique: true, partialFilterExpression: { dedupeKey: { $exists: true } } },
);

/** The `transactions` model bound to `conn`. */
export function transactionModel(conn: Connection): Model<Transaction> {
  return (
    (conn.models.Transaction as Model<Transaction> | undefined) ??
    conn.model<Transaction>('Transaction', transactionSchema)
  );
}
