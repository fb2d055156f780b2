import { Queue, Worker } from 'bullmq';
import { getOrCreateMetric, promClient, QUEUES, SCHEDULERS, withRunLock } from '@storefront/shared';
import type { WorkerDeps } from '../deps.ts';
import { throttledErrorLog } from '../alerts/throttled-error-log.ts';
import { keepScheduled } from '../keep-scheduled.ts';
import { SweeperRepository } from './sweeper.repository.ts';
import { SweeperService, type SweepReport } from './sweeper.service.ts';

const SWEEP_JOB = 'webhook-sweep';
const LOCK_KEY = 'lock:webhook-sweeper';

/**
 * Schedules the sweeper every WEBHOOK_SWEEP_INTERVAL_MS on the `maintenance` queue and starts a
 * concurrency-1 worker for it. The job scheduler makes one job per interval however many worker
 * processes run; a Redis lock keeps runs from overlapping across processes when one is slow.
 */
export function registerSweeper(deps: WorkerDeps): {
  queue: Queue;
  worker: Worker;
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
  const sweeper = new SweeperService({
    repo: new SweeperRepository(deps.mongo),
    webhooks: deps.producers.webhooks,
    deliveries: deps.producers.deliveries,
    logger,
    minAgeMs: Math.min(5_000, interval),
    onRequeued: (kind: keyof SweepReport, n: number) => requeued.inc({ kind }, n),
  });

  const queue = new Queue(QUEUES.maintenance, {
    connection: deps.queueRedis,
    prefix: deps.config.QUEUE_PREFIX,
  });
  queue.on('error', throttledErrorLog(logger, 'maintenance queue'));
  // A Redis that restarted empty has lost the schedule too: put it back on every reconnect.
  const stopScheduling = keepScheduled(deps.queueRedis, logger, 'the sweeper', async () => {
    await queue.upsertJobScheduler(
      SCHEDULERS.webhookSweeper,
      { every: interval },
      {
        name: SWEEP_JOB,
        data: {},
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  });

  const worker = new Worker(
    QUEUES.maintenance,
    async (job) => {
      if (job.name !== SWEEP_JOB) return null;
      const ttl = Math.max(30_000, 2 * interval);
      return withRunLock(deps.redis, LOCK_KEY, ttl, logger, () => sweeper.sweep());
    },
    { connection: deps.queueRedis, prefix: deps.config.QUEUE_PREFIX, concurrency: 1 },
  );
  worker.on('error', throttledErrorLog(logger, 'maintenance worker'));
  worker.on('failed', (job, err) => logger.error('sweep failed', { jobId: job?.id, err }));
  deps.onClose(async () => {
    stopScheduling();
    await worker.close();
    await queue.close();
  });
  return { queue, worker, sweeper };
}
