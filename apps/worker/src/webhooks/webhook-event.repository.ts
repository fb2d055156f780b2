import type { Connection, Model } from 'mongoose';
import { webhookEventModel, type WebhookEvent } from '@storefront/shared';

/** Inbox statuses that still need processing. */
export const UNFINISHED_STATUSES = ['received', 'failed'] as const;

/** Reads and writes the inbox (`webhook_events`) for processing; plain objects only. */
export class WebhookEventRepository {
  private readonly model: Model<WebhookEvent>;

  constructor(conn: Connection) {
    this.model = webhookEventModel(conn);
  }

  async findById(id: string): Promise<WebhookEvent | null> {
    return this.model.findById(id).lean<WebhookEvent>().exec();
  }

  /** Marks an unfinished event finished; false when it already was (or is dead). */
  async markFinished(id: string, status: 'processed' | 'ignored'): Promise<boolean> {
    const res = await this.model
      .updateOne(
        { _id: id, status: { $in: UNFINISHED_STATUSES } },
        { $set: { status, processedAt: new Date() }, $unset: { lastError: 1 } },
      )
      .exec();
    return res.modifiedCount > 0;
  }

  /**
   * Counts a failed attempt (one atomic increment, so the count survives lost jobs and restarts)
   * and returns the event as it now is; null when the event is no longer unfinished.
   */
  async recordFailedAttempt(id: string, error: string): Promise<WebhookEvent | null> {
    return this.model
      .findOneAndUpdate(
        { _id: id, status: { $in: UNFINISHED_STATUSES } },
        { $inc: { attempts: 1 }, $set: { status: 'failed', lastError: error.slice(0, 2_000) } },
        { returnDocument: 'after' },
      )
      .lean<WebhookEvent>()
      .exec();
  }

  /** Gives up on a failed event. */
  async markDead(id: string): Promise<void> {
    await this.model.updateOne({ _id: id, status: 'failed' }, { $set: { status: 'dead' } }).exec();
  }
}
