import { Queue } from 'bullmq';
import { QUEUES, throttledErrorLog } from '@storefront/shared';
import type { WorkerDeps } from '../deps.ts';
import { registerOperatorMetrics } from './operator.metrics.ts';

/** Registers the gauges operators alert on: `dlq_size{status}` and `queue_jobs{queue,state}`. */
export function registerMonitoring(deps: WorkerDeps): void {
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
    queues: [deps.producers.webhooks, deps.producers.deliveries, ...others] as Array<
      Queue<unknown>
    >,
    logger,
  });
  deps.onClose(async () => {
    await Promise.allSettled(others.map((q) => q.close()));
  });
}
