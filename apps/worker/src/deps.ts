import type { Connection } from 'mongoose';
import type {
  Config,
  Logger,
  MetricsRegistry,
  PaymentOutcomeDeps,
  Producers,
  Redis,
} from '@storefront/shared';

/** Everything the worker's processors are built from; startWorker creates it. */
export interface WorkerDeps {
  config: Config;
  logger: Logger;
  metrics: MetricsRegistry;
  mongo: Connection;
  /** BullMQ connection for workers and schedulers (`maxRetriesPerRequest: null`). */
  queueRedis: Redis;
  /** Fail-fast connection for plain commands (locks, counters). */
  redis: Redis;
  /** Queues the worker produces into (deliveries from webhook processing and reconciliation). */
  producers: Producers;
  /** What the shared payment-outcome functions need: the single path that marks orders paid. */
  payments: PaymentOutcomeDeps;
  /** Registers a cleanup step run at shutdown, before connections close (e.g. `worker.close()`). */
  onClose: (fn: () => Promise<void> | void) => void;
}
