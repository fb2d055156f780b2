import type { Queue } from 'bullmq';
import {
  ensureDeliveryJob,
  ensureWebhookJob,
  type DeliveryJobData,
  type Logger,
  type OrderRepository,
  type RequeueResult,
  type ScanCursor,
  type WebhookDlqRepository,
  type WebhookEventRepository,
  type WebhookJobData,
} from '@storefront/shared';

/** Items per page of a scan. */
export const SWEEP_PAGE = 200;
/** Most items of one kind a sweep looks at; the rest wait for the next sweep. */
export const SWEEP_SCAN_LIMIT = 20_000;
/** Queue checks run this many at a time. */
const PARALLEL = 20;

/** What one sweep re-queued. */
export interface SweepReport {
  inbox: number;
  dlq: number;
  deliveries: number;
}

/**
 * Re-queues what MongoDB says is unfinished but has no live job: inbox events (Redis lost its
 * data, or the API could not enqueue), pending DLQ entries whose retry is due, and deliveries of
 * paid orders (a crash between marking paid and enqueueing). Retry counts live in the inbox, so a
 * re-queued event keeps its place in the retry schedule.
 *
 * Each kind is scanned oldest first, a page at a time, and the scan stops at the first page in
 * which everything still had a live job: during a burst the backlog is queued and is not
 * re-checked item by item every interval, while after Redis lost its data every page re-queues
 * and the scan goes on to the end.
 */
export class SweeperService {
  private readonly deps: {
    events: WebhookEventRepository;
    dlq: WebhookDlqRepository;
    orders: OrderRepository;
    webhooks: Queue<WebhookJobData>;
    deliveries: Queue<DeliveryJobData>;
    logger: Logger;
    /** Items younger than this are left to the normal path (their job may be being added). */
    minAgeMs: number;
    onRequeued: (kind: keyof SweepReport, n: number) => void;
    /**
     * Called for an item whose job could not be queued while Redis itself answers (so the item,
     * not Redis, is the problem); the scan goes on with the other items.
     */
    onUnqueueable: (kind: keyof SweepReport, id: string, err: unknown) => Promise<void>;
    /** True when the queue's Redis answers; a failure while it does not fails the sweep. */
    queueAnswers: () => Promise<boolean>;
  };

  // Items whose job could not be queued, by `kind:id`, and in how many consecutive sweeps.
  private readonly refusals = new Map<string, number>();

  constructor(deps: SweeperService['deps']) {
    this.deps = deps;
  }

  async sweep(now = new Date()): Promise<SweepReport> {
    const before = new Date(now.getTime() - this.deps.minAgeMs);
    const report: SweepReport = {
      inbox: await this.sweepInbox(now, before),
      dlq: await this.sweepDlq(now),
      deliveries: await this.sweepDeliveries(before),
    };
    for (const kind of ['inbox', 'dlq', 'deliveries'] as const) {
      if (report[kind] > 0) this.deps.onRequeued(kind, report[kind]);
    }
    if (report.inbox + report.dlq + report.deliveries > 0) {
      this.deps.logger.info('sweeper re-queued unfinished work', { ...report });
    }
    return report;
  }

  private sweepInbox(now: Date, before: Date): Promise<number> {
    const { events: inbox, dlq, webhooks } = this.deps;
    return this.scan('inbox', async (cursor) => {
      const events = await inbox.unfinishedPage(before, SWEEP_PAGE, cursor);
      // A failed event keeps its scheduled retry time rather than running at once.
      const due = await dlq.retryTimes(
        events.filter((e) => e.status === 'failed').map((e) => e._id),
      );
      return events.map((e) => ({
        id: e._id,
        cursor: { at: e.receivedAt, id: e._id },
        ensure: () =>
          ensureWebhookJob(webhooks, e._id, {
            delayMs: (due.get(e._id)?.getTime() ?? now.getTime()) - now.getTime(),
            stillNeeded: () => inbox.isUnfinished(e._id),
          }),
      }));
    });
  }

  private sweepDlq(now: Date): Promise<number> {
    const { dlq, webhooks } = this.deps;
    return this.scan('dlq', async (cursor) =>
      (await dlq.duePage(now, SWEEP_PAGE, cursor)).map((e) => ({
        id: e._id,
        cursor: { at: e.next_retry_at, id: e._id },
        // A finished job may have just succeeded (and removed the entry): the processor removes
        // a stale entry itself, so re-running it is the simple and safe check.
        ensure: () => ensureWebhookJob(webhooks, e._id),
      })),
    );
  }

  private sweepDeliveries(before: Date): Promise<number> {
    const { orders, deliveries } = this.deps;
    return this.scan('deliveries', async (cursor) =>
      (await orders.undeliveredPage(before, SWEEP_PAGE, cursor)).map((o) => ({
        id: String(o._id),
        cursor: { at: o.queuedAt, id: o._id },
        ensure: () =>
          ensureDeliveryJob(deliveries, o._id, { stillNeeded: () => orders.isUndelivered(o._id) }),
      })),
    );
  }

  /** Pages through `page` until a page re-queues nothing, ends the data or hits the limit. */
  private async scan(
    kind: keyof SweepReport,
    page: (cursor: ScanCursor | undefined) => Promise<ScanItem[]>,
  ): Promise<number> {
    let cursor: ScanCursor | undefined;
    let scanned = 0;
    let enqueued = 0;
    for (;;) {
      const items = await page(cursor);
      let found = 0;
      for (let i = 0; i < items.length; i += PARALLEL) {
        const results = await Promise.all(
          items.slice(i, i + PARALLEL).map((it) =>
            it.ensure().then(
              (result) => ({ id: it.id, result }),
              (err: unknown) => ({ id: it.id, err }),
            ),
          ),
        );
        found += results.filter((r) => 'result' in r && r.result === 'enqueued').length;
        await this.unqueueable(kind, results);
      }
      enqueued += found;
      scanned += items.length;
      const last = items[items.length - 1];
      if (!last || found === 0 || items.length < SWEEP_PAGE || scanned >= SWEEP_SCAN_LIMIT) break;
      cursor = last.cursor;
    }
    return enqueued;
  }

  /**
   * One item that cannot be queued must not stall the rest or fail every sweep forever. A failure
   * is the item's only when Redis answers PING, the error is not one of Redis's own states (out
   * of memory, read-only replica, loading, busy script…: those refuse every item), and the same
   * item failed so in UNQUEUEABLE_AFTER consecutive sweeps; then it goes to `onUnqueueable`.
   * Otherwise Redis is the problem and the sweep fails as a whole (the next one tries again).
   */
  private async unqueueable(
    kind: keyof SweepReport,
    results: Array<{ id: string; result: RequeueResult } | { id: string; err: unknown }>,
  ): Promise<void> {
    const failed: Array<{ id: string; err: unknown }> = [];
    for (const r of results) {
      if ('err' in r) failed.push(r);
      else if (this.refusals.size > 0) this.refusals.delete(`${kind}:${r.id}`);
    }
    if (failed.length === 0) return;
    const first = failed[0]!.err;
    if (REDIS_STATE_ERROR.test(errorMessage(first)) || !(await this.deps.queueAnswers())) {
      throw first;
    }
    if (this.refusals.size > 10_000) this.refusals.clear(); // bounded: a flood is Redis's problem
    for (const f of failed) {
      const key = `${kind}:${f.id}`;
      const times = (this.refusals.get(key) ?? 0) + 1;
      if (times < UNQUEUEABLE_AFTER) {
        this.refusals.set(key, times);
        this.deps.logger.warn('sweeper could not queue an item; trying again next sweep', {
          kind,
          id: f.id,
          times,
          err: f.err,
        });
        continue;
      }
      this.refusals.delete(key);
      await this.deps.onUnqueueable(kind, f.id, f.err);
    }
  }
}

/** Consecutive sweeps an item must fail in (Redis answering) before it is given up on. */
export const UNQUEUEABLE_AFTER = 3;

// Errors that describe Redis's state rather than one item's: every item would fail alike.
const REDIS_STATE_ERROR =
  /^(?:OOM|READONLY|LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface ScanItem {
  id: string;
  cursor: ScanCursor;
  ensure: () => Promise<RequeueResult>;
}
