import { Queue, Worker } from 'bullmq';
import {
  getOrCreateMetric,
  promClient,
  QUEUES,
  SCHEDULERS,
  withRunLock,
  throttledErrorLog,
} from '@storefront/shared';
import type { WorkerDeps } from '../deps.ts';
import { PermanentWebhookError } from '../webhooks/webhook-errors.ts';
import type { WebhookFailureService } from '../webhooks/webhook-failure.service.ts';
import { keepScheduled } from '../keep-scheduled.ts';
import { supervisedWorker, type SupervisedWorker } from '../worker-supervisor.ts';
import { SweeperService, type SweepReport } from './sweeper.service.ts';

const SWEEP_JOB = 'webhook-sweep';
const LOCK_KEY = 'lock:webhook-sweeper';

/**
 * Schedules the sweeper every WEBHOOK_SWEEP_INTERVAL_MS on the `maintenance` queue and starts a
 * concurrency-1 worker for it. The job scheduler makes one job per interval however many worker
 * processes run; a Redis lock keeps runs from overlapping across processes when one is slow.
 */
export function registerSweeper(
  deps: WorkerDeps,
  failures: WebhookFailureService,
): {
  queue: Queue;
  worker: SupervisedWorker;
  sweeper: SweeperService;
} {
  const logger = deps.logger.child({ module: 'sweeper' });
  const interval = deps.config.WEBHOOK_SWEEP_INTERVAL_MS;
  const requeued = getOrCreateMetric(
    deps.metrics,
    'sweeper_requeued_total',
    () =>
      new promClient.Counter({
        name: 'sweeper_requeued_total',
        help: 'Work the sweeper found unfinished without a job and re-queued (inbox, dlq, deliveries)',
        labelNames: ['kind'],
        registers: [deps.metrics],
      }),
  );
  const unqueueable = getOrCreateMetric(
    deps.metrics,
    'sweeper_unqueueable_total',
    () =>
      new promClient.Counter({
        name: 'sweeper_unqueueable_total',
        help: 'Unfinished items whose job could not be queued while Redis answered (inbox and dlq items go dead into the DLQ)',
        labelNames: ['kind'],
        registers: [deps.metrics],
      }),
  );
  const sweeper = new SweeperService({
    events: deps.repos.webhookEvents,
    dlq: deps.repos.dlq,
    orders: deps.repos.orders,
    webhooks: deps.producers.webhooks,
    deliveries: deps.producers.deliveries,
    logger,
    minAgeMs: Math.min(5_000, interval),
    onRequeued: (kind: keyof SweepReport, n: number) => requeued.inc({ kind }, n),
    onUnqueueable: async (kind, id, err) => {
      unqueueable.inc({ kind });
      const message = `could not be queued: ${err instanceof Error ? err.message : String(err)}`;
      logger.error('sweeper could not queue an unfinished item', { kind, id, err });
      // An event that cannot be queued can never be processed: it goes dead like a permanent
      // failure (DLQ entry, alert, inbox `dead`), so it stops being swept and an operator sees it.
      if (kind !== 'deliveries')
        await failures.recordFailure(id, new PermanentWebhookError(message));
    },
    queueAnswers: async () => {
      try {
        // The fail-fast connection: the queues' own would wait for Redis to come back.
        await deps.redis.ping();
        return true;
      } catch {
        return false;
      }
    },
  });

  const queue = new Queue(QUEUES.maintenance, {
    connection: deps.queueRedis,
    prefix: deps.config.QUEUE_PREFIX,
  });
  queue.on('error', throttledErrorLog(logger, 'maintenance queue'));
  // A Redis that restarted empty, or a failover, can lose the schedule: keepScheduled puts it back.
  const stopScheduling = keepScheduled(
    deps.queueRedis,
    logger,
    'the sweeper',
    async () => {
      await queue.upsertJobScheduler(
        SCHEDULERS.webhookSweeper,
        { every: interval },
        {
          name: SWEEP_JOB,
          data: {},
          opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    },
    deps.config.WORKER_SCHEDULE_CHECK_MS,
  );

  const worker = supervisedWorker(deps, queue, () => {
    const w = new Worker(
      QUEUES.maintenance,
      async (job) => {
        if (job.name !== SWEEP_JOB) return null;
        const ttl = Math.max(30_000, 2 * interval);
        return withRunLock(deps.redis, LOCK_KEY, ttl, logger, () => sweeper.sweep());
      },
      { connection: deps.queueRedis, prefix: deps.config.QUEUE_PREFIX, concurrency: 1 },
    );
    w.on('error', throttledErrorLog(logger, 'maintenance worker'));
    w.on('failed', (job, err) => logger.error('sweep failed', { jobId: job?.id, err }));
    return w;
  });
  deps.onClose(async () => {
    stopScheduling();
    await worker.close();
    await queue.close();
  });
  return { queue, worker, sweeper };
}
