import type { Queue } from 'bullmq';
import { NotFoundError, ConflictError, ServiceUnavailableError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { webhookJobId, type WebhookJobData } from '../queues/queue-names.ts';
import type { WebhookEventRepository } from '../webhooks/webhook-event.repository.ts';
import { ensureWebhookJob } from './job-requeue.ts';
import type { DlqFilter, DlqListItem, WebhookDlqRepository } from './webhook-dlq.repository.ts';
import type { WebhookDlqEntry } from './webhook-dlq.model.ts';

// The operator's side of the dead-letter queue of webhook events (admin API). The worker writes
// entries through WebhookDlqRepository; the inbox (`webhook_events`) stays the source of truth
// for what is unfinished, and this collection is the operator's view of what went wrong.

/** Lists, replays and discards DLQ entries for operators. */
export class DlqService {
  private readonly deps: {
    dlq: WebhookDlqRepository;
    events: WebhookEventRepository;
    webhooks: Queue<WebhookJobData>;
    logger: Logger;
  };

  constructor(deps: DlqService['deps']) {
    this.deps = deps;
  }

  /** One page of entries, newest first. */
  async list(
    filter: DlqFilter,
    page: { page: number; limit: number },
  ): Promise<{ items: DlqListItem[]; page: number; limit: number; total: number }> {
    const { items, total } = await this.deps.dlq.list(filter, page);
    return { items, page: page.page, limit: page.limit, total };
  }

  /** One entry with its payload. */
  async get(id: string): Promise<WebhookDlqEntry> {
    const entry = await this.deps.dlq.findById(id);
    if (!entry) throw new NotFoundError(`No DLQ entry ${id}`);
    return entry;
  }

  /**
   * Replays an entry: the retry budget starts again (inbox attempts 0, retry_count 0), the entry
   * is `pending`, and the event is queued to run now. The inbox event is recreated from the
   * entry's payload if it is gone. Processing is idempotent, so replaying an event that did
   * apply is harmless.
   */
  async replay(id: string, ctx: { actor: string }): Promise<WebhookDlqEntry> {
    const entry = await this.deps.dlq.resetForReplay(id);
    if (!entry) throw new NotFoundError(`No DLQ entry ${id}`);
    await this.deps.events.resetForReplay(id, {
      account: entry.account,
      event: entry.event_type,
      payload: entry.webhook_payload,
      receivedAt: entry.created_at,
    });
    this.deps.logger.info('dlq entry replayed', {
      eventId: id,
      eventType: entry.event_type,
      actor: ctx.actor,
    });
    try {
      await ensureWebhookJob(this.deps.webhooks, id, { promote: true });
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
  async replayMany(filter: DlqFilter, opts: { limit: number; actor: string }): Promise<number> {
    const ids = await this.deps.dlq.oldestIds(filter, opts.limit);
    let count = 0;
    // A few at a time: each replay is a handful of round trips, and a request has a time limit.
    for (let i = 0; i < ids.length; i += 20) {
      const results = await Promise.all(
        ids.slice(i, i + 20).map((id) =>
          this.replay(id, { actor: opts.actor }).then(
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
    this.deps.logger.info('dlq bulk replay', { filter, count, actor: opts.actor });
    return count;
  }

  /**
   * Discards an entry: it stays in the DLQ as `discarded` with the reason (an audit trail), its
   * inbox event becomes `dead` so nothing retries it, and a queued retry is removed.
   */
  async discard(id: string, ctx: { reason: string; actor: string }): Promise<WebhookDlqEntry> {
    const entry = await this.deps.dlq.discard(id, ctx.reason);
    if (!entry) {
      if (await this.deps.dlq.exists(id)) {
        throw new ConflictError(`DLQ entry ${id} is already discarded`);
      }
      throw new NotFoundError(`No DLQ entry ${id}`);
    }
    await this.deps.events.markDiscarded(id, ctx.reason);
    this.deps.logger.warn('dlq entry discarded', {
      eventId: id,
      eventType: entry.event_type,
      reason: ctx.reason,
      actor: ctx.actor,
    });
    try {
      const job = await this.deps.webhooks.getJob(webhookJobId(id));
      const state = job ? await job.getState() : 'unknown';
      // An active attempt is left to finish: the processor sees the dead inbox event and stops.
      if (job && (state === 'delayed' || state === 'waiting' || state === 'prioritized'))
        await job.remove();
    } catch (err) {
      this.deps.logger.warn('could not remove the discarded event’s queued job', {
        eventId: id,
        err,
      });
    }
    return entry;
  }
}
