import type { Queue, Worker } from 'bullmq';
import type { SupervisedWorker } from '../worker-supervisor.ts';
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

// What an operator alerts on besides each feature's own metrics: the DLQ size and queue backlogs,
// read from MongoDB and Redis when Prometheus scrapes rather than kept up to date on every
// change (a slow or unreachable store must not hang the scrape: a collection that does not
// answer within the budget keeps the last values), and the jobs BullMQ found stalled.

const COLLECT_TIMEOUT_MS = 1_000;
const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/**
 * Registers `dlq_size{status}` and `queue_jobs{queue,state}`, both collected on scrape, and
 * `queue_stalled_jobs_total{queue}` counted from `workers`' stalled events.
 */
export function registerOperatorMetrics(opts: {
  metrics: MetricsRegistry;
  dlq: WebhookDlqRepository;
  /** The connection the queues use; skipped while it is not ready (commands would queue up). */
  queueRedis: Redis;
  queues: Array<Queue<unknown>>;
  /** This process's BullMQ workers (each as supervised: a replacement is counted too). */
  workers: Array<Pick<SupervisedWorker<Worker<unknown>>, 'onStart'>>;
  logger: Logger;
}): void {
  const { metrics, dlq, queueRedis, queues, workers, logger } = opts;
  for (const supervised of workers) supervised.onStart((w) => countStalledJobs(metrics, [w]));
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

/**
 * `queue_stalled_jobs_total{queue}`: active jobs whose lock expired (their process died, or its
 * event loop was blocked longer than the lock duration) and that this process's stalled-job
 * check moved back to wait (or failed, after `maxStalledCount` stalls). Each stall is counted once,
 * by the worker that found it. Every queue starts at 0 so the first stall shows as an increase.
 */
export function countStalledJobs(metrics: MetricsRegistry, workers: Array<Worker<unknown>>): void {
  const stalled = getOrCreateMetric(
    metrics,
    'queue_stalled_jobs_total',
    () =>
      new promClient.Counter({
        name: 'queue_stalled_jobs_total',
        help: 'BullMQ jobs found stalled (lock lost while active) by this process, by queue',
        labelNames: ['queue'],
        registers: [metrics],
      }),
  );
  for (const worker of workers) {
    const child = stalled.labels({ queue: worker.name });
    child.inc(0);
    worker.on('stalled', () => child.inc());
  }
}
