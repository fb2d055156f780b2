import type { Connection, Model } from 'mongoose';
import { afterCursor, type ScanCursor } from '../db/scan-cursor.ts';
import type { WebhookEvent } from '../webhooks/webhook-event.model.ts';
import {
  DLQ_STATUSES,
  webhookDlqModel,
  type DlqStatus,
  type WebhookDlqEntry,
} from './webhook-dlq.model.ts';

/** A failed processing attempt, as the worker records it. */
export interface DlqFailure {
  event: Pick<WebhookEvent, '_id' | 'account' | 'event' | 'payload'>;
  errorMessage: string;
  retryCount: number;
  /** null when dead. */
  nextRetryAt: Date | null;
  status: 'pending' | 'dead';
  permanent: boolean;
}

/** Filter of the operator's list and bulk replay. */
export interface DlqFilter {
  status?: DlqStatus;
  eventType?: string;
}

/** An entry as listed (without the payload, which may carry buyer contact details). */
export type DlqListItem = Omit<WebhookDlqEntry, 'webhook_payload'>;

function toQuery(filter: DlqFilter): Record<string, unknown> {
  return {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.eventType ? { event_type: filter.eventType } : {}),
  };
}

/**
 * The only code that touches `webhook_dlq`: written by the worker on each failed attempt (and
 * removed on success), by operators' replay and discard through the admin API. Plain objects.
 */
export class WebhookDlqRepository {
  private readonly model: Model<WebhookDlqEntry>;

  constructor(conn: Connection) {
    this.model = webhookDlqModel(conn);
  }

  /** Creates or updates the event's entry after a failed attempt. */
  async upsertFailure(f: DlqFailure): Promise<void> {
    const now = new Date();
    await this.model.updateOne(
      { _id: f.event._id },
      {
        $set: {
          event_id: f.event._id,
          account: f.event.account,
          event_type: f.event.event,
          webhook_payload: f.event.payload,
          retry_count: f.retryCount,
          next_retry_at: f.nextRetryAt,
          error_message: f.errorMessage.slice(0, 2_000),
          status: f.status,
          permanent: f.permanent,
          updated_at: now,
          ...(f.status === 'dead' ? { dead_at: now } : {}),
        },
        $setOnInsert: { created_at: now, replay_count: 0 },
      },
      { upsert: true },
    );
  }

  /** Removes the event's entry (its processing succeeded); a discarded entry stays for audit. */
  async remove(eventId: string): Promise<boolean> {
    const res = await this.model.deleteOne({ _id: eventId, status: { $ne: 'discarded' } });
    return res.deletedCount > 0;
  }

  /** Turns a pending entry dead (e.g. its inbox event is gone); replay recreates it. */
  async markDead(eventId: string, reason: string): Promise<boolean> {
    const now = new Date();
    const res = await this.model.updateOne(
      { _id: eventId, status: 'pending' },
      {
        $set: {
          status: 'dead',
          error_message: reason,
          next_retry_at: null,
          dead_at: now,
          updated_at: now,
        },
      },
    );
    return res.modifiedCount > 0;
  }

  /** Number of entries in each status. */
  async countByStatus(): Promise<Record<DlqStatus, number>> {
    const counts = await Promise.all(
      DLQ_STATUSES.map((status) => this.model.countDocuments({ status }).exec()),
    );
    return Object.fromEntries(DLQ_STATUSES.map((s, i) => [s, counts[i] ?? 0])) as Record<
      DlqStatus,
      number
    >;
  }

  /** One page of entries, newest first, and the total matching `filter`. */
  async list(
    filter: DlqFilter,
    page: { page: number; limit: number },
  ): Promise<{ items: DlqListItem[]; total: number }> {
    const query = toQuery(filter);
    const [items, total] = await Promise.all([
      this.model
        .find(query, { webhook_payload: 0 })
        .sort({ created_at: -1, _id: -1 })
        .skip((page.page - 1) * page.limit)
        .limit(page.limit)
        .lean<DlqListItem[]>()
        .exec(),
      this.model.countDocuments(query).exec(),
    ]);
    return { items, total };
  }

  /** Ids of the oldest `limit` entries matching `filter`. */
  async oldestIds(filter: DlqFilter, limit: number): Promise<string[]> {
    const rows = await this.model
      .find(toQuery(filter), { _id: 1 })
      .sort({ created_at: 1, _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: string }>>()
      .exec();
    return rows.map((r) => r._id);
  }

  async findById(id: string): Promise<WebhookDlqEntry | null> {
    return this.model.findById(id).lean<WebhookDlqEntry>().exec();
  }

  async exists(id: string): Promise<boolean> {
    return (await this.model.exists({ _id: id })) !== null;
  }

  /** An operator replay: `pending`, due now, retry budget back to 0; null when there is no entry. */
  async resetForReplay(id: string): Promise<WebhookDlqEntry | null> {
    const now = new Date();
    return this.model
      .findOneAndUpdate(
        { _id: id },
        {
          $set: {
            status: 'pending',
            retry_count: 0,
            next_retry_at: now,
            permanent: false,
            replayed_at: now,
            updated_at: now,
          },
          $inc: { replay_count: 1 },
          $unset: { dead_at: 1, discarded_at: 1, discard_reason: 1 },
        },
        { returnDocument: 'after' },
      )
      .lean<WebhookDlqEntry>()
      .exec();
  }

  /** An operator discard of a pending or dead entry; null when there is none in those states. */
  async discard(id: string, reason: string): Promise<WebhookDlqEntry | null> {
    const now = new Date();
    return this.model
      .findOneAndUpdate(
        { _id: id, status: { $in: ['pending', 'dead'] } },
        {
          $set: {
            status: 'discarded',
            discarded_at: now,
            discard_reason: reason,
            next_retry_at: null,
            updated_at: now,
          },
        },
        { returnDocument: 'after' },
      )
      .lean<WebhookDlqEntry>()
      .exec();
  }

  /** When each of `ids`' pending retries is due. */
  async retryTimes(ids: string[]): Promise<Map<string, Date>> {
    if (ids.length === 0) return new Map();
    const rows = await this.model
      .find({ _id: { $in: ids }, status: 'pending' }, { next_retry_at: 1 })
      .lean<Array<{ _id: string; next_retry_at: Date | null }>>()
      .exec();
    return new Map(
      rows.filter((r) => r.next_retry_at).map((r) => [r._id, r.next_retry_at as Date]),
    );
  }

  /** One page of pending entries whose retry is due, earliest first. */
  async duePage(
    now: Date,
    limit: number,
    cursor?: ScanCursor,
  ): Promise<Array<{ _id: string; next_retry_at: Date }>> {
    return this.model
      .find(
        {
          status: 'pending',
          next_retry_at: { $lte: now },
          ...afterCursor('next_retry_at', cursor),
        },
        { _id: 1, next_retry_at: 1 },
      )
      .sort({ next_retry_at: 1, _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: string; next_retry_at: Date }>>()
      .exec();
  }
}
