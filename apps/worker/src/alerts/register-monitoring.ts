import { Queue, type Worker } from 'bullmq';
import { QUEUES, throttledErrorLog } from '@storefront/shared';
import type { WorkerDeps } from '../deps.ts';
import type { SupervisedWorker } from '../worker-supervisor.ts';
import { registerOperatorMetrics } from './operator.metrics.ts';

/**
 * Registers the metrics operators alert on: `dlq_size{status}`, `queue_jobs{queue,state}` and
 * `queue_stalled_jobs_total{queue}` (from this process's `workers`).
 */
export function registerMonitoring(
  deps: WorkerDeps,
  workers: Array<SupervisedWorker<Worker<unknown>>>,
): void {
  const logger = deps.logger.child({ module: 'monitoring' });
  // Read-only handles for the queues this process does not produce into.
  const others = [QUEUES.maintenance, QUEUES.reconciliation].map((name) => {
    const q = new Queue(name, { connection: deps.queueRedis, prefix: deps.config.QUEUE_PREFIX });
    q.on('error', throttledErrorLog(logger, `${name} queue`));
    return q;
  });
  registerOperatorMetrics({
    metrics: deps.metrics,
    dlq: deps.repos.dlq,
    queueRedis: deps.queueRedis,
    queues: [
      deps.producers.webhooks,
      deps.producers.deliveries,
      deps.producers.orderChecks,
      ...others,
    ] as Array<Queue<unknown>>,
    workers,
    logger,
  });
  deps.onClose(async () => {
    await Promise.allSettled(others.map((q) => q.close()));
  });
}
