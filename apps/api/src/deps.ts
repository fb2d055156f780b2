import type { Connection } from 'mongoose';
import type { Config, Logger, MetricsRegistry, Redis } from '@storefront/shared';

/** Everything the API's features are built from; the composition root (server.ts) creates it. */
export interface ApiDeps {
  config: Config;
  logger: Logger;
  metrics: MetricsRegistry;
  mongo: Connection;
  /** Fail-fast connection for cache reads/writes, rate limits and publishing invalidations. */
  redis: Redis;
  /** Factory for extra Redis connections a feature needs (pub/sub subscribers, BullMQ producers). */
  createRedis: (role: 'subscriber' | 'producer') => Redis;
  /** Registers a cleanup step run at shutdown, after the server stopped taking requests. */
  onClose: (fn: () => Promise<void> | void) => void;
  /**
   * Registers a step run the moment shutdown starts, before the requests in flight are waited
   * for: work that would otherwise hold a request open (a status read waiting for its order).
   */
  onDrain: (fn: () => void) => void;
}
