import type { Connection, Model } from 'mongoose';
import { batched, inKeyOrder, SAME_TICK, writeEach, type BatchOptions } from '../db/batcher.ts';
import { afterCursor, type ScanCursor } from '../db/scan-cursor.ts';
import { webhookEventModel, type WebhookEvent } from './webhook-event.model.ts';

/** Inbox statuses that still need processing. */
export const UNFINISHED_STATUSES = ['received', 'failed'] as const;

/** The inbox insert either stored the event or found it already there. */
export type InboxInsertResult = 'inserted' | 'duplicate';

/**
 * The only code that touches the inbox (`webhook_events`), the source of truth for which
 * acknowledged webhooks are unfinished. Plain objects only.
 */
export class WebhookEventRepository {
  private readonly model: Model<WebhookEvent>;
  private readonly inserts: (doc: WebhookEvent) => Promise<InboxInsertResult>;
  private readonly byId: (id: string) => Promise<WebhookEvent | null>;
  private readonly finish: (f: { id: string; status: 'processed' | 'ignored' }) => Promise<void>;

  /** `batch`: how concurrent reads by id and finishes share one command. */
  constructor(conn: Connection, batch: BatchOptions = SAME_TICK) {
    this.model = webhookEventModel(conn);
    this.inserts = batched<WebhookEvent, InboxInsertResult>(async (docs) => {
      // Straight to the driver: this is the hottest write we have and the documents are built
      // here. Unordered: a redelivered event (duplicate key) does not stop the others.
      const results = await writeEach(docs.length, () =>
        this.model.collection.insertMany(docs as never[], { ordered: false }),
      );
      return results.map((e) => (!e ? 'inserted' : e.code === 11000 ? 'duplicate' : e));
    }, batch);
    this.byId = batched(async (ids) => {
      const docs = await this.model.collection
        // Inbox ids are strings; the untyped collection assumes ObjectId ids.
        .find<WebhookEvent>({ _id: { $in: [...ids] } } as never)
        .toArray();
      return inKeyOrder(ids, docs, (d) => d._id);
    }, batch);
    this.finish = batched(async (finishes) => {
      const processedAt = new Date();
      // One update per target status (two at most).
      for (const status of ['processed', 'ignored'] as const) {
        const ids = finishes.filter((f) => f.status === status).map((f) => f.id);
        if (ids.length === 0) continue;
        await this.model
          .updateMany(
            { _id: { $in: ids }, status: { $in: UNFINISHED_STATUSES } },
            { $set: { status, processedAt }, $unset: { lastError: 1 } },
          )
          .exec();
      }
      return finishes.map(() => undefined);
    }, batch);
  }

  /**
   * Inserts a new event (`received`, no attempts yet). The event id is `_id`, so a redelivery hits
   * the unique index and reports `duplicate`; every other failure is thrown.
   */
  async insert(
    event: Pick<WebhookEvent, '_id' | 'account' | 'event' | 'payload'>,
  ): Promise<InboxInsertResult> {
    const now = new Date();
    const doc: WebhookEvent = {
      ...event,
      status: 'received',
      attempts: 0,
      receivedAt: now,
      updatedAt: now,
    };
    return this.inserts(doc);
  }

  async findById(id: string): Promise<WebhookEvent | null> {
    return this.byId(id);
  }

  /** Marks an event finished unless it already is (or is dead). */
  async markFinished(id: string, status: 'processed' | 'ignored'): Promise<void> {
    await this.finish({ id, status });
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

  /**
   * An operator replay: the event waits for its (first) retry with a fresh budget (`failed`, no
   * attempts), recreated from the DLQ's copy if it is gone.
   */
  async resetForReplay(
    id: string,
    copy: Pick<WebhookEvent, 'account' | 'event' | 'payload' | 'receivedAt'>,
  ): Promise<void> {
    await this.model.updateOne(
      { _id: id },
      {
        $set: { status: 'failed', attempts: 0 },
        $unset: { lastError: 1, processedAt: 1 },
        $setOnInsert: copy,
      },
      { upsert: true },
    );
  }

  /** An operator discard: the event is dead so nothing retries it. */
  async markDiscarded(id: string, reason: string): Promise<void> {
    await this.model.updateOne(
      { _id: id, status: { $in: ['received', 'failed', 'dead'] } },
      { $set: { status: 'dead', lastError: `discarded: ${reason}` } },
    );
  }

  /** One page of unfinished events received before `before`, oldest first. */
  async unfinishedPage(
    before: Date,
    limit: number,
    cursor?: ScanCursor,
  ): Promise<Array<{ _id: string; status: string; receivedAt: Date }>> {
    return this.model
      .find(
        {
          status: { $in: UNFINISHED_STATUSES },
          receivedAt: { $lt: before },
          ...afterCursor('receivedAt', cursor),
        },
        { _id: 1, status: 1, receivedAt: 1 },
      )
      .sort({ receivedAt: 1, _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: string; status: string; receivedAt: Date }>>()
      .exec();
  }

  /** Whether event `id` still needs processing. */
  async isUnfinished(id: string): Promise<boolean> {
    return (await this.model.exists({ _id: id, status: { $in: UNFINISHED_STATUSES } })) !== null;
  }
}
