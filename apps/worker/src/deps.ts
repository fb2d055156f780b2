import type { Connection } from 'mongoose';
import type { Config, Logger, MetricsRegistry, Redis } from '@storefront/shared';

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
  /** Registers a cleanup step run at shutdown, before connections close (e.g. `worker.close()`). */
  onClose: (fn: () => Promise<void> | void) => void;
}
