import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logging/logger.ts';

export type { Redis } from 'ioredis';

function attachListeners(redis: Redis, logger: Logger, role: string): Redis {
  let lastErrorLog = 0;
  redis.on('error', (err: Error) => {
    // A down Redis emits an error per reconnect attempt; one line every 5 s is enough.
    const now = Date.now();
    if (now - lastErrorLog > 5_000) {
      lastErrorLog = now;
      logger.error('redis error', { role, err });
    }
  });
  redis.on('ready', () => logger.info('redis ready', { role }));
  return redis;
}

/**
 * A connection for cache, pub/sub and rate limits: commands fail fast while Redis is unreachable
 * (no offline queue, one retry) so request handlers can fall back instead of hanging.
 */
export function createCacheRedis(url: string, logger: Logger, extra: RedisOptions = {}): Redis {
  return attachListeners(
    new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      ...extra,
    }),
    logger,
    'cache',
  );
}

/**
 * A connection for BullMQ workers and queue event listeners: blocking commands must wait out
 * Redis outages, so requests are never failed for retry count (`maxRetriesPerRequest: null`).
 */
export function createQueueRedis(url: string, logger: Logger, extra: RedisOptions = {}): Redis {
  return attachListeners(
    new Redis(url, {
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
      ...extra,
    }),
    logger,
    'queue',
  );
}

/**
 * A connection for BullMQ producers in request handlers: fails fast (no offline queue) so an
 * unreachable Redis surfaces as an error the caller can handle rather than a hung request.
 */
export function createProducerRedis(url: string, logger: Logger, extra: RedisOptions = {}): Redis {
  return attachListeners(
    new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      ...extra,
    }),
    logger,
    'producer',
  );
}

/** True when Redis answers PING. */
export async function pingRedis(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/**
 * Resolves once `redis` is connected, or after `timeoutMs` regardless: processes start ready
 * when Redis is, but still start (degraded, reporting not ready) when it is down.
 */
export function waitForRedisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}
