import type { Queue } from 'bullmq';
import {
  ensureDeliveryJob,
  ensureWebhookJob,
  type DeliveryJobData,
  type Logger,
  type RequeueResult,
  type WebhookJobData,
} from '@storefront/shared';
import type { SweeperRepository } from './sweeper.repository.ts';

/** How many items of each kind one sweep looks at (oldest first); the rest wait for the next. */
export const SWEEP_SCAN_LIMIT = 5_000;
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
 */
export class SweeperService {
  private readonly deps: {
    repo: SweeperRepository;
    webhooks: Queue<WebhookJobData>;
    deliveries: Queue<DeliveryJobData>;
    logger: Logger;
    /** Items younger than this are left to the normal path (their job may be being added). */
    minAgeMs: number;
    onRequeued: (kind: keyof SweepReport, n: number) => void;
  };

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

  private async sweepInbox(now: Date, before: Date): Promise<number> {
    const events = await this.deps.repo.unfinishedEvents(before, SWEEP_SCAN_LIMIT);
    // A failed event keeps its scheduled retry time rather than running at once.
    const due = await this.deps.repo.retryTimes(
      events.filter((e) => e.status === 'failed').map((e) => e._id),
    );
    return this.count(events, (e) => {
      const at = due.get(e._id);
      return ensureWebhookJob(this.deps.webhooks, e._id, {
        delayMs: at ? at.getTime() - now.getTime() : 0,
      });
    });
  }

  private async sweepDlq(now: Date): Promise<number> {
    const ids = await this.deps.repo.dueDlqEntries(now, SWEEP_SCAN_LIMIT);
    return this.count(ids, (id) => ensureWebhookJob(this.deps.webhooks, id));
  }

  private async sweepDeliveries(before: Date): Promise<number> {
    const ids = await this.deps.repo.undeliveredOrders(before, SWEEP_SCAN_LIMIT);
    return this.count(ids, (id) => ensureDeliveryJob(this.deps.deliveries, id));
  }

  /** Runs `fn` over `items`, PARALLEL at a time; returns how many were enqueued. */
  private async count<T>(items: T[], fn: (item: T) => Promise<RequeueResult>): Promise<number> {
    let enqueued = 0;
    for (let i = 0; i < items.length; i += PARALLEL) {
      const results = await Promise.all(items.slice(i, i + PARALLEL).map(fn));
      enqueued += results.filter((r) => r === 'enqueued').length;
    }
    return enqueued;
  }
}
