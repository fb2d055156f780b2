import { Schema, type Connection, type Model } from 'mongoose';
import { maskedText } from '../privacy/card-numbers.ts';

/**
 * `pending`: waiting for its next retry; `dead`: retries exhausted or a permanent failure, waits
 * for an operator; `discarded`: an operator decided it will never be applied (kept for audit).
 */
export const DLQ_STATUSES = ['pending', 'dead', 'discarded'] as const;
export type DlqStatus = (typeof DLQ_STATUSES)[number];

/**
 * A webhook event whose processing failed. It mirrors the inbox event with the same id while the
 * event is unfinished; a successful retry removes it.
 */
export interface WebhookDlqEntry {
  /** The event id (same as the inbox `_id`), so each event has at most one entry. */
  _id: string;
  event_id: string;
  account: string;
  event_type: string;
  webhook_payload: Record<string, unknown>;
  /** Retries already made: 0 after the first failed attempt, 5 when the schedule is exhausted. */
  retry_count: number;
  /** When the next retry runs (pending only). */
  next_retry_at: Date | null;
  error_message: string;
  status: DlqStatus;
  /** Whether the last failure was permanent (can never apply without a fix). */
  permanent: boolean;
  created_at: Date;
  updated_at: Date;
  dead_at?: Date;
  replay_count: number;
  replayed_at?: Date;
  discarded_at?: Date;
  discard_reason?: string;
}

const webhookDlqSchema = new Schema<WebhookDlqEntry>(
  {
    _id: { type: String, required: true },
    event_id: { type: String, required: true },
    account: { type: String, required: true },
    event_type: { type: String, required: true },
    webhook_payload: { type: Schema.Types.Mixed, required: true },
    retry_count: { type: Number, required: true, default: 0 },
    next_retry_at: { type: Date, default: null },
    error_message: { ...maskedText, required: true },
    status: { type: String, enum: DLQ_STATUSES, required: true },
    permanent: { type: Boolean, required: true, default: false },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    dead_at: Date,
    replay_count: { type: Number, required: true, default: 0 },
    replayed_at: Date,
    discarded_at: Date,
    discard_reason: maskedText,
  },
  { collection: 'webhook_dlq', versionKey: false, minimize: false },
);
// Operators list newest first, filtered by status and/or event type; the sweeper looks for
// pending entries whose retry is due.
webhookDlqSchema.index({ status: 1, created_at: -1 });
webhookDlqSchema.index({ event_type: 1, created_at: -1 });
webhookDlqSchema.index({ status: 1, next_retry_at: 1 });

/** The `webhook_dlq` model bound to `conn`. */
export function webhookDlqModel(conn: Connection): Model<WebhookDlqEntry> {
  return (
    (conn.models.WebhookDlqEntry as Model<WebhookDlqEntry> | undefined) ??
    conn.model<WebhookDlqEntry>('WebhookDlqEntry', webhookDlqSchema)
  );
}
