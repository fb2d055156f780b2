import { Worker } from 'bullmq';
import {
  getOrCreateMetric,
  promClient,
  QUEUES,
  type DeliveryJobData,
  throttledErrorLog,
} from '@storefront/shared';
import type { WorkerDeps } from '../deps.ts';
import { deliveryProcessor } from './delivery.processor.ts';
import { DeliveryService } from './delivery.service.ts';

/** Starts the `deliveries` queue worker. */
export function registerDeliveries(deps: WorkerDeps): Worker<DeliveryJobData> {
  const logger = deps.logger.child({ module: 'deliveries' });
  const delivered = getOrCreateMetric(
    deps.metrics,
    'deliveries_total',
    () =>
      new promClient.Counter({
        name: 'deliveries_total',
        help: 'Paid orders delivered (file: whether the product had a file to deliver)',
        labelNames: ['file'],
        registers: [deps.metrics],
      }),
  );
  const service = new DeliveryService({
    orders: deps.repos.orders,
    products: deps.repos.products,
    deliveries: deps.repos.deliveries,
    logger,
    onDelivered: (withFile) => delivered.inc({ file: withFile ? 'present' : 'missing' }),
  });
  const worker = new Worker<DeliveryJobData>(QUEUES.deliveries, deliveryProcessor(service), {
    connection: deps.queueRedis,
    prefix: deps.config.QUEUE_PREFIX,
    concurrency: deps.config.WORKER_CONCURRENCY,
    lockDuration: deps.config.WORKER_LOCK_DURATION_MS,
    stalledInterval: deps.config.WORKER_STALLED_INTERVAL_MS,
  });
  worker.on('error', throttledErrorLog(logger, 'deliveries worker'));
  deps.onClose(() => worker.close());
  return worker;
}
