import {
  createLogger,
  createMetricsRegistry,
  createRedis,
  waitForRedisReady,
  type MetricsRegistry,
  type Redis,
  type RedisTarget,
} from '@storefront/shared';
import { StoreCache, type StoreCacheOptions } from '../../src/storefront/store-cache.service.ts';

// A StoreCache as the API builds it (cache and subscriber connections, its own metrics), for the
// cache tests on one node and on the cluster: only the target and the loader differ.

const logger = createLogger({ level: 'silent', service: 'test' });

/** A started cache and what a test inspects of it. */
export interface StoreCacheUnderTest {
  cache: StoreCache;
  metrics: MetricsRegistry;
  redis: Redis;
  subscriber: Redis;
}

/** What a test closes afterwards: every connection and cache `startStoreCache` opened. */
export interface Opened {
  conns: Redis[];
  caches: StoreCache[];
}

/**
 * A StoreCache over `target` under key prefix `prefix`, started (check `cache.whenReady()`).
 * Its connections and the cache are added to `opened`.
 */
export async function startStoreCache(opts: {
  target: string | RedisTarget;
  prefix: string;
  load: StoreCacheOptions['load'];
  memoryTtlMs?: number;
  onOrderNotice?: StoreCacheOptions['onOrderNotice'];
  opened: Opened;
}): Promise<StoreCacheUnderTest> {
  const redis = createRedis(opts.target, 'cache', logger, { keyPrefix: opts.prefix });
  const subscriber = createRedis(opts.target, 'subscriber', logger, { keyPrefix: opts.prefix });
  opts.opened.conns.push(redis, subscriber);
  await Promise.all([waitForRedisReady(redis, 5_000), waitForRedisReady(subscriber, 5_000)]);
  const metrics = createMetricsRegistry();
  const cache = new StoreCache({
    redis,
    subscriber,
    channelPrefix: opts.prefix,
    load: opts.load,
    memoryTtlMs: opts.memoryTtlMs ?? 60_000,
    memoryMaxEntries: 100,
    redisTtlSeconds: 60,
    negativeTtlSeconds: 10,
    metrics,
    logger,
    onOrderNotice: opts.onOrderNotice,
  });
  cache.start();
  opts.opened.caches.push(cache);
  return { cache, metrics, redis, subscriber };
}
