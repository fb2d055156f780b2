import type { Connection } from 'mongoose';
import { testConfig, uniqueName } from '@storefront/devstack/test-harness';
import {
  createLogger,
  createMongoConnection,
  createProducerRedis,
  createProducers,
  type Config,
  type Producers,
  type Redis,
} from '@storefront/shared';
import { startWorker, type RunningWorker } from '../../src/index.ts';

/** A worker as production runs it, plus the test's own connections to feed and inspect it. */
export interface WorkerWorld {
  config: Config;
  worker: RunningWorker;
  /** The test's own MongoDB connection (not the worker's). */
  mongo: Connection;
  /** Producers over the test's own Redis connection, as the API has them. */
  producers: Producers;
  close(): Promise<void>;
}

/** Starts a worker on a fresh database and queue prefix with `overrides`. */
export async function startWorkerWorld(
  overrides: Record<string, string> = {},
): Promise<WorkerWorld> {
  const config = testConfig(overrides, uniqueName('wk'));
  const worker = await startWorker(config);
  const logger = createLogger({ level: 'silent', service: 'test' });
  const mongo = await createMongoConnection({ url: config.MONGO_URL, poolSize: 5, logger });
  const redis: Redis = createProducerRedis(config.REDIS_URL, logger);
  const producers = createProducers(redis, config.QUEUE_PREFIX);
  return {
    config,
    worker,
    mongo,
    producers,
    close: async () => {
      await worker.close();
      await producers.close();
      await redis.quit();
      await mongo.close();
    },
  };
}
