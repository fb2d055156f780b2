import type { Queue } from 'bullmq';
import {
  DLQ_STATUSES,
  getOrCreateMetric,
  promClient,
  withTimeout,
  type Logger,
  type MetricsRegistry,
  type Redis,
  type WebhookDlqRepository,
} from '@storefront/shared';

// Gauges an operator alerts on (DLQ size, queue backlogs), read from MongoDB and Redis when
// Prometheus scrapes rather than kept up to date on every change. A slow or unreachable store
// must not hang the scrape: a collection that does not answer within the budget keeps the last
// values.

const COLLECT_TIMEOUT_MS = 1_000;
const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** Registers `dlq_size{status}` and `queue_jobs{queue,state}`, both collected on scrape. */
export function registerOperatorMetrics(opts: {
  metrics: MetricsRegistry;
  dlq: WebhookDlqRepository;
  /** The connection the queues use; skipped while it is not ready (commands would queue up). */
  queueRedis: Redis;
  queues: Array<Queue<unknown>>;
  logger: Logger;
}): void {
  const { metrics, dlq, queueRedis, queues, logger } = opts;
  getOrCreateMetric(
    metrics,
    'dlq_size',
    () =>
      new promClient.Gauge({
        name: 'dlq_size',
        help: 'Webhook DLQ entries by status (pending: waiting for a retry; dead: needs an operator)',
        labelNames: ['status'],
        registers: [metrics],
        async collect() {
          try {
            const counts = await withTimeout(dlq.countByStatus(), COLLECT_TIMEOUT_MS);
            for (const status of DLQ_STATUSES) this.set({ status }, counts[status]);
          } catch (err) {
            logger.warn('dlq_size not collected', { err });
          }
        },
      }),
  );
  getOrCreateMetric(
    metrics,
    'queue_jobs',
    () =>
      new promClient.Gauge({
        name: 'queue_jobs',
        help: 'BullMQ jobs by queue and state',
        labelNames: ['queue', 'state'],
        registers: [metrics],
        async collect() {
          if (queueRedis.status !== 'ready') return;
          try {
            const all = await withTimeout(
              Promise.all(queues.map((q) => q.getJobCounts(...JOB_STATES))),
              COLLECT_TIMEOUT_MS,
            );
            all.forEach((counts, i) => {
              const queue = queues[i]?.name ?? 'unknown';
              for (const state of JOB_STATES) this.set({ queue, state }, counts[state] ?? 0);
            });
          } catch (err) {
            logger.warn('queue_jobs not collected', { err });
          }
        },
      }),
  );
}
