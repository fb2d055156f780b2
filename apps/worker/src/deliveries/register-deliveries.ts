import { Worker } from 'bullmq';
import {
  getOrCreateMetric,
  promClient,
  QUEUES,
  type DeliveryJobData,
  type Logger,
  type MetricsRegistry,
  type Order,
  type Repositories,
  throttledErrorLog,
  throttledLog,
} from '@storefront/shared';
import type { WorkerDeps } from '../deps.ts';
import { supervisedWorker, type SupervisedWorker } from '../worker-supervisor.ts';
import { deliveryProcessor } from './delivery.processor.ts';
import { DeliveryService } from './delivery.service.ts';

/**
 * Builds the delivery service (the `deliveries` jobs and in-place deliveries share it).
 * `announce`: tells the API processes an order was delivered (`publishOrderNotices`), so a buyer's
 * waiting status read answers at once; best effort, it must not fail the delivery.
 */
export function createDeliveryService(deps: {
  logger: Logger;
  metrics: MetricsRegistry;
  repos: Repositories;
  announce?: (orderId: string) => Promise<void>;
}): DeliveryService {
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
  const logger = deps.logger.child({ module: 'deliveries' });
  const warn = throttledLog(5_000);
  return new DeliveryService({
    orders: deps.repos.orders,
    products: deps.repos.products,
    deliveries: deps.repos.deliveries,
    logger,
    onDelivered: (orderId, withFile) => {
      delivered.inc({ file: withFile ? 'present' : 'missing' });
      deps.announce?.(orderId).catch((err: unknown) => {
        warn((suppressed) =>
          logger.warn('delivery not announced; a waiting status read answers when its wait ends', {
            orderId,
            suppressed,
            err,
          }),
        );
      });
    },
  });
}

/**
 * How the worker's PaymentOutcomes hands a paid order to delivery. The capture that made the
 * order paid delivers it in place: no job to add, fetch and complete, and no second read of the
 * order. If that fails, the order is queued for the `deliveries` worker and its retries; if
 * even that fails, the error reaches the caller (the webhook is retried, and the sweeper queues
 * the order, whose delivery is recorded as queued). An order another call made paid was handed
 * over by that call: queueing it again is a no-op while its job exists.
 */
export function deliverPaidOrders(deps: {
  service: DeliveryService;
  enqueue: (orderId: string) => Promise<void>;
}): (order: Order, justPaid: boolean) => Promise<void> {
  const warn = throttledLog(5_000);
  return async (order, justPaid) => {
    const orderId = String(order._id);
    if (justPaid) {
      try {
        await deps.service.deliverOrder(order);
        return;
      } catch (err) {
        warn((suppressed) =>
          deps.service.logger.warn('in-place delivery failed; queued for the deliveries worker', {
            orderId,
            suppressed,
            err,
          }),
        );
      }
    }
    await deps.enqueue(orderId);
  };
}

/** Starts the `deliveries` queue worker. */
export function registerDeliveries(
  deps: WorkerDeps,
  service: DeliveryService,
): SupervisedWorker<Worker<DeliveryJobData>> {
  const supervised = supervisedWorker(deps, deps.producers.deliveries, () => {
    const worker = new Worker<DeliveryJobData>(QUEUES.deliveries, deliveryProcessor(service), {
      connection: deps.queueRedis,
      prefix: deps.config.QUEUE_PREFIX,
      concurrency: deps.config.WORKER_CONCURRENCY,
      lockDuration: deps.config.WORKER_LOCK_DURATION_MS,
      stalledInterval: deps.config.WORKER_STALLED_INTERVAL_MS,
    });
    worker.on('error', throttledErrorLog(service.logger, 'deliveries worker'));
    return worker;
  });
  deps.onClose(() => supervised.close());
  return supervised;
}
