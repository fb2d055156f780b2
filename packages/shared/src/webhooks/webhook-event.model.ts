import { Schema, type Connection, type Model } from 'mongoose';
import { maskedText } from '../privacy/card-numbers.ts';

/**
 * Inbox status of a received webhook event:
 * `received` (stored, maybe queued) → `processed` | `ignored` (unknown event) | `dead` (gave up);
 * `failed` while it waits for a retry.
 */
export const WEBHOOK_EVENT_STATUSES = [
  'received',
  'failed',
  'processed',
  'ignored',
  'dead',
] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

/** One Razorpay event in the inbox, keyed by `X-Razorpay-Event-Id`; written before the 200. */
export interface WebhookEvent {
  /** The `X-Razorpay-Event-Id` header. */
  _id: string;
  /** `platform` or the creator id whose webhook endpoint received it. */
  account: string;
  event: string;
  /** The event body with card details removed. */
  payload: Record<string, unknown>;
  status: WebhookEventStatus;
  attempts: number;
  lastError?: string;
  receivedAt: Date;
  processedAt?: Date;
  updatedAt: Date;
}

const webhookEventSchema = new Schema<WebhookEvent>(
  {
    _id: { type: String, required: true },
    account: { type: String, required: true },
    event: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: WEBHOOK_EVENT_STATUSES, required: true, default: 'received' },
    attempts: { type: Number, required: true, default: 0 },
    lastError: maskedText,
    receivedAt: { type: Date, required: true },
    processedAt: Date,
  },
  {
    collection: 'webhook_events',
    versionKey: false,
    timestamps: { createdAt: false, updatedAt: true },
    minimize: false,
  },
);
// The sweeper looks for unfinished events oldest first.
webhookEventSchema.index({ status: 1, receivedAt: 1 });

/** The `webhook_events` inbox model bound to `conn`. */
export function webhookEventModel(conn: Connection): Model<WebhookEvent> {
  return (
    (conn.models.WebhookEvent as Model<WebhookEvent> | undefined) ??
    conn.model<WebhookEvent>('WebhookEvent', webhookEventSchema)
  );
}
