import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  createMetricsRegistry,
  createRedis,
  redisKeySlot,
  type MetricsRegistry,
  type Redis,
} from '@storefront/shared';
import { clusterTarget, uniqueName } from '@storefront/devstack/test-harness';
import { metricValue } from '@storefront/test-support';
import { StoreCache } from '../../src/storefront/store-cache.service.ts';

// The storefront cache and its invalidation bus on the run's real Redis Cluster (3 primaries):
// each script's keys share a slot, invalidations of many usernames split by slot, and the bus
// (sharded pub/sub) counts every subscribed process, wherever the publisher is connected.

const logger = createLogger({ level: 'silent', service: 'test' });

interface Harness {
  cache: StoreCache;
  metrics: MetricsRegistry;
  redis: Redis;
}

describe('StoreCache on Redis Cluster', () => {
  let prefix: string;
  let conns: Redis[];
  let caches: StoreCache[];
  let current: string;
  let loads: number;

  const load = (username: string): Promise<Buffer | null> => {
    loads += 1;
    return Promise.resolve(Buffer.from(JSON.stringify({ username, version: current })));
  };
  const version = (buf: Buffer) => (JSON.parse(buf.toString()) as { version: string }).version;

  async function make(memoryTtlMs = 60_000): Promise<Harness> {
    const redis = createRedis(clusterTarget(), 'cache', logger, { keyPrefix: prefix });
    const subscriber = createRedis(clusterTarget(), 'subscriber', logger, { keyPrefix: prefix });
    conns.push(redis, subscriber);
    await Promise.all([once(redis, 'ready'), once(subscriber, 'ready')]);
    const metrics = createMetricsRegistry();
    const cache = new StoreCache({
      redis,
      subscriber,
      channelPrefix: prefix,
      load,
      memoryTtlMs,
      memoryMaxEntries: 100,
      redisTtlSeconds: 60,
      negativeTtlSeconds: 10,
      metrics,
      logger,
    });
    cache.start();
    caches.push(cache);
    expect(await cache.whenReady()).toBe(true);
    return { cache, metrics, redis };
  }

  beforeEach(() => {
    prefix = `${uniqueName('scc')}:`;
    conns = [];
    caches = [];
    current = 'v1';
    loads = 0;
  });
  afterEach(async () => {
    for (const c of caches) c.close();
    await Promise.allSettled(conns.map((c) => c.quit()));
  });

  it('when a storefront is read twice, then the second read comes from Redis through the slot-local scripts', async () => {
    const a = await make();
    const b = await make();
    expect(version((await a.cache.load('alice')).body)).toBe('v1');
    expect(version((await b.cache.load('alice')).body)).toBe('v1');
    expect(loads).toBe(1);
    expect(await a.redis.exists('store:{alice}')).toBe(1);
  });

  it('when usernames of several slots are invalidated at once, then Redis and every process drop all of them before invalidate resolves', async () => {
    const a = await make();
    const b = await make();
    const names = Array.from({ length: 12 }, (_, i) => `user${i}`);
    expect(new Set(names.map((u) => redisKeySlot(a.redis, `store:{${u}}`))).size).toBeGreaterThan(
      1,
    );
    for (const u of names) {
      await a.cache.load(u);
      await b.cache.load(u);
      expect(b.cache.peek(u)).toBeDefined();
    }
    current = 'v2';
    await a.cache.invalidate(names);
    for (const u of names) {
      expect(b.cache.peek(u)).toBeUndefined();
      expect(await a.redis.exists(`store:{${u}}`)).toBe(0);
    }
    expect(metricValue(await a.metrics.metrics(), 'storefront_invalidation_fallbacks_total')).toBe(
      0,
    );
    for (const u of names) expect(version((await b.cache.load(u)).body)).toBe('v2');
  });

  it('when a subscribed process never acknowledges, then the publisher counts it and waits out the memory TTL', async () => {
    const memoryTtlMs = 300;
    const a = await make(memoryTtlMs);
    const b = await make(memoryTtlMs);
    await b.cache.load('carol');
    const t = performance.now();
    await a.cache.invalidate(['carol']); // both acknowledge: no waiting
    expect(performance.now() - t).toBeLessThan(memoryTtlMs);
    expect(b.cache.peek('carol')).toBeUndefined();
    // A stuck process: sharded-subscribed to the bus channel, never acknowledging. SPUBLISH on
    // the slot's primary counts it; a plain PUBLISH on Cluster would not see it.
    const stuck = createRedis(clusterTarget(), 'subscriber', logger);
    conns.push(stuck);
    await once(stuck, 'ready');
    await stuck.ssubscribe(`${prefix}{store-bus}:invalidate`);
    const t0 = performance.now();
    await a.cache.invalidate(['carol']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(memoryTtlMs);
    expect(metricValue(await a.metrics.metrics(), 'storefront_invalidation_fallbacks_total')).toBe(
      1,
    );
  });
});
