import type { Queue } from 'bullmq';
import type { Connection } from 'mongoose';
import { NotFoundError, ConflictError, ServiceUnavailableError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { webhookJobId, type WebhookJobData } from '../queues/queue-names.ts';
import { webhookEventModel, type WebhookEvent } from '../webhooks/webhook-event.model.ts';
import { ensureWebhookJob } from './job-requeue.ts';
import {
  DLQ_STATUSES,
  webhookDlqModel,
  type DlqStatus,
  type WebhookDlqEntry,
} from './webhook-dlq.model.ts';

// The dead-letter queue of webhook events: written by the worker on each failed attempt, read
// and acted on by operators through the admin API. The inbox (`webhook_events`) stays the source
// of truth for what is unfinished; this collection is the operator's view of what went wrong.

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

/** Creates or updates the event's DLQ entry after a failed attempt. */
export async function upsertDlqFailure(conn: Connection, f: DlqFailure): Promise<void> {
  const now = new Date();
  await webhookDlqModel(conn).updateOne(
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

/** Removes the event's DLQ entry (its processing succeeded); a discarded entry stays for audit. */
export async function removeDlqEntry(conn: Connection, eventId: string): Promise<boolean> {
  const res = await webhookDlqModel(conn).deleteOne({ _id: eventId, status: { $ne: 'discarded' } });
  return res.deletedCount > 0;
}

/** Turns a pending entry dead (e.g. its inbox event is gone, so no retry can run); replay recreates it. */
export async function markDlqEntryDead(
  conn: Connection,
  eventId: string,
  reason: string,
): Promise<boolean> {
  const now = new Date();
  const res = await webhookDlqModel(conn).updateOne(
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

/** Number of DLQ entries in each status. */
export async function countDlqByStatus(conn: Connection): Promise<Record<DlqStatus, number>> {
  const model = webhookDlqModel(conn);
  const counts = await Promise.all(
    DLQ_STATUSES.map((status) => model.countDocuments({ status }).exec()),
  );
  return Object.fromEntries(DLQ_STATUSES.map((s, i) => [s, counts[i] ?? 0])) as Record<
    DlqStatus,
    number
  >;
}

/** Filter of the operator's list and bulk replay. */
export interface DlqFilter {
  status?: DlqStatus;
  eventType?: string;
}

function toQuery(filter: DlqFilter): Record<string, unknown> {
  return {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.eventType ? { event_type: filter.eventType } : {}),
  };
}

/** An entry as listed (without the payload, which may carry buyer contact details). */
export type DlqListItem = Omit<WebhookDlqEntry, 'webhook_payload'>;

/** One page of entries, newest first. */
export async function listDlqEntries(
  conn: Connection,
  filter: DlqFilter,
  page: { page: number; limit: number },
): Promise<{ items: DlqListItem[]; page: number; limit: number; total: number }> {
  const model = webhookDlqModel(conn);
  const query = toQuery(filter);
  const [items, total] = await Promise.all([
    model
      .find(query, { webhook_payload: 0 })
      .sort({ created_at: -1, _id: -1 })
      .skip((page.page - 1) * page.limit)
      .limit(page.limit)
      .lean<DlqListItem[]>()
      .exec(),
    model.countDocuments(query).exec(),
  ]);
  return { items, page: page.page, limit: page.limit, total };
}

/** One entry with its payload. */
export async function getDlqEntry(conn: Connection, id: string): Promise<WebhookDlqEntry> {
  const entry = await webhookDlqModel(conn).findById(id).lean<WebhookDlqEntry>().exec();
  if (!entry) throw new NotFoundError(`No DLQ entry ${id}`);
  return entry;
}

/** What replay and discard need. */
export interface DlqActionDeps {
  mongo: Connection;
  webhooks: Queue<WebhookJobData>;
  logger: Logger;
}

/**
 * Replays an entry: the retry budget starts again (inbox attempts 0, retry_count 0), the entry is
 * `pending`, and the event is queued to run now. The inbox event is recreated from the entry's
 * payload if it is gone. Processing is idempotent, so replaying an event that did apply is harmless.
 */
export async function replayDlqEntry(
  deps: DlqActionDeps,
  id: string,
  ctx: { actor: string },
): Promise<WebhookDlqEntry> {
  const now = new Date();
  const entry = await webhookDlqModel(deps.mongo)
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
  if (!entry) throw new NotFoundError(`No DLQ entry ${id}`);
  await webhookEventModel(deps.mongo).updateOne(
    { _id: id },
    {
      // `failed` with no attempts: waiting for its (first) retry, and it has a DLQ entry.
      $set: { status: 'failed', attempts: 0 },
      $unset: { lastError: 1, processedAt: 1 },
      $setOnInsert: {
        account: entry.account,
        event: entry.event_type,
        payload: entry.webhook_payload,
        receivedAt: entry.created_at,
      },
    },
    { upsert: true },
  );
  deps.logger.info('dlq entry replayed', {
    eventId: id,
    eventType: entry.event_type,
    actor: ctx.actor,
  });
  try {
    await ensureWebhookJob(deps.webhooks, id, { promote: true });
  } catch (err) {
    // The inbox says unfinished and the entry is due, so the sweeper queues it once Redis is back.
    throw new ServiceUnavailableError(
      'Queue unavailable; the event will be queued by the sweeper',
      err,
    );
  }
  return entry;
}

/** Replays every entry matching `filter` (at most `limit`); returns how many were replayed. */
export async function replayDlqEntries(
  deps: DlqActionDeps,
  filter: DlqFilter,
  opts: { limit: number; actor: string },
): Promise<number> {
  const ids = await webhookDlqModel(deps.mongo)
    .find(toQuery(filter), { _id: 1 })
    .sort({ created_at: 1, _id: 1 })
    .limit(opts.limit)
    .lean<Array<{ _id: string }>>()
    .exec();
  let count = 0;
  // A few at a time: each replay is a handful of round trips, and a request has a time limit.
  for (let i = 0; i < ids.length; i += 20) {
    const results = await Promise.all(
      ids.slice(i, i + 20).map(({ _id }) =>
        replayDlqEntry(deps, _id, { actor: opts.actor }).then(
          () => true,
          (err: unknown) => {
            if (err instanceof NotFoundError) return false; // removed meanwhile (it succeeded)
            throw err;
          },
        ),
      ),
    );
    count += results.filter(Boolean).length;
  }
  deps.logger.info('dlq bulk replay', { filter, count, actor: opts.actor });
  return count;
}

/**
 * Discards an entry: it stays in the DLQ as `discarded` with the reason (an audit trail), its
 * inbox event becomes `dead` so nothing retries it, and a queued retry is removed.
 */
export async function discardDlqEntry(
  deps: DlqActionDeps,
  id: string,
  ctx: { reason: string; actor: string },
): Promise<WebhookDlqEntry> {
  const now = new Date();
  const entry = await webhookDlqModel(deps.mongo)
    .findOneAndUpdate(
      { _id: id, status: { $in: ['pending', 'dead'] } },
      {
        $set: {
          status: 'discarded',
          discarded_at: now,
          discard_reason: ctx.reason,
          next_retry_at: null,
          updated_at: now,
        },
      },
      { returnDocument: 'after' },
    )
    .lean<WebhookDlqEntry>()
    .exec();
  if (!entry) {
    const exists = await webhookDlqModel(deps.mongo).exists({ _id: id });
    if (exists) throw new ConflictError(`DLQ entry ${id} is already discarded`);
    throw new NotFoundError(`No DLQ entry ${id}`);
  }
  await webhookEventModel(deps.mongo).updateOne(
    { _id: id, status: { $in: ['received', 'failed', 'dead'] } },
    { $set: { status: 'dead', lastError: `discarded: ${ctx.reason}` } },
  );
  deps.logger.warn('dlq entry discarded', {
    eventId: id,
    eventType: entry.event_type,
    reason: ctx.reason,
    actor: ctx.actor,
  });
  try {
    const job = await deps.webhooks.getJob(webhookJobId(id));
    const state = job ? await job.getState() : 'unknown';
    // An active attempt is left to finish: the processor sees the dead inbox event and stops.
    if (job && (state === 'delayed' || state === 'waiting' || state === 'prioritized'))
      await job.remove();
  } catch (err) {
    deps.logger.warn('could not remove the discarded event’s queued job', { eventId: id, err });
  }
  return entry;
}
