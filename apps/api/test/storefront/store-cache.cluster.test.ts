import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  createRedis,
  parseRedisNode,
  publishOrderNotices,
  redisKeySlot,
  waitForRedisReady,
} from '@storefront/shared';
import { clusterTarget, uniqueName } from '@storefront/devstack/test-harness';
import { startRedisCluster, type RedisClusterHandle } from '@storefront/devstack';
import { eventually, metricValue } from '@storefront/test-support';
import { startStoreCache, type Opened, type StoreCacheUnderTest } from './store-cache-harness.ts';

// The storefront cache and its invalidation bus on the run's real Redis Cluster (3 primaries):
// each script's keys share a slot, invalidations of many usernames split by slot, and the bus
// (sharded pub/sub) counts every subscribed process, wherever the publisher is connected.

const logger = createLogger({ level: 'silent', service: 'test' });

const version = (buf: Buffer) => (JSON.parse(buf.toString()) as { version: string }).version;

describe('StoreCache on Redis Cluster', () => {
  let prefix: string;
  let opened: Opened;
  let current: string;
  let loads: number;

  const load = (username: string): Promise<Buffer | null> => {
    loads += 1;
    return Promise.resolve(Buffer.from(JSON.stringify({ username, version: current })));
  };

  async function make(
    memoryTtlMs = 60_000,
    onOrderNotice?: (ids: string[]) => void,
  ): Promise<StoreCacheUnderTest> {
    const h = await startStoreCache({
      target: clusterTarget(),
      prefix,
      load,
      memoryTtlMs,
      onOrderNotice,
      opened,
    });
    expect(await h.cache.whenReady()).toBe(true);
    return h;
  }

  beforeEach(() => {
    prefix = `${uniqueName('scc')}:`;
    opened = { conns: [], caches: [] };
    current = 'v1';
    loads = 0;
  });
  afterEach(async () => {
    for (const c of opened.caches) c.close();
    await Promise.allSettled(opened.conns.map((c) => c.quit()));
  });

  it('when a storefront is read twice, then the second read comes from Redis through the slot-local scripts', async () => {
    const a = await make();
    const b = await make();
    expect(version((await a.cache.load('alice')).body)).toBe('v1');
    expect(version((await b.cache.load('alice')).body)).toBe('v1');
    expect(loads).toBe(1);
    expect(await a.redis.exists('store:{alice}')).toBe(1);
  });

  it('when usernames of several slots are invalidated at once, then before invalidate resolves every process holds their new versions, in Redis too', async () => {
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
      // The writer held them all: it read each again and stored it, on the key's own node; the
      // other process read them from there before acknowledging.
      expect(version((await a.redis.getBuffer(`store:{${u}}`)) as Buffer)).toBe('v2');
      expect(version(a.cache.peek(u)!.body)).toBe('v2');
      expect(version(b.cache.peek(u)!.body)).toBe('v2');
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
    current = 'v2';
    const t = performance.now();
    await a.cache.invalidate(['carol']); // both acknowledge: no waiting
    expect(performance.now() - t).toBeLessThan(memoryTtlMs);
    expect(version(b.cache.peek('carol')!.body)).toBe('v2');
    // A stuck process: sharded-subscribed to the bus channel, never acknowledging. SPUBLISH on
    // the slot's primary counts it; a plain PUBLISH on Cluster would not see it.
    const stuck = createRedis(clusterTarget(), 'subscriber', logger);
    opened.conns.push(stuck);
    await once(stuck, 'ready');
    await stuck.ssubscribe(`${prefix}{store-bus}:invalidate`);
    const t0 = performance.now();
    await a.cache.invalidate(['carol']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(memoryTtlMs);
    expect(metricValue(await a.metrics.metrics(), 'storefront_invalidation_fallbacks_total')).toBe(
      1,
    );
  });

  it('when the worker announces delivered orders, then every process hears them on the sharded bus', async () => {
    const heard: Record<'a' | 'b', string[]> = { a: [], b: [] };
    const a = await make(60_000, (ids) => heard.a.push(...ids));
    const b = await make(60_000, (ids) => heard.b.push(...ids));
    expect(a.cache.hearsOrderNotices && b.cache.hearsOrderNotices).toBe(true);
    // The worker's connection: another client of the cluster, under the same key prefix.
    const worker = createRedis(clusterTarget(), 'cache', logger, { keyPrefix: prefix });
    opened.conns.push(worker);
    await waitForRedisReady(worker, 5_000);
    const ids = ['65a1b2c3d4e5f60718293a4b', '65a1b2c3d4e5f60718293a4c'];
    expect(await publishOrderNotices(worker, prefix, ids)).toBe(2);
    await eventually(() => heard.a.length === 2 && heard.b.length === 2, {
      what: 'both processes hearing the notice',
    });
    expect(heard).toEqual({ a: ids, b: ids });
  });
});

// A cluster of its own: its primaries are killed on purpose.
describe('StoreCache on Redis Cluster when a primary fails over', () => {
  let cluster: RedisClusterHandle;
  const opened: Opened = { conns: [], caches: [] };
  let current = 'v1';
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    for (const c of opened.caches) c.close();
    for (const c of opened.conns) c.disconnect();
    await cluster?.stop();
  });

  async function make(prefix: string): Promise<StoreCacheUnderTest> {
    const h = await startStoreCache({
      target: {
        mode: 'cluster',
        nodes: cluster.nodesList.split(',').map(parseRedisNode),
        tls: false,
      },
      prefix,
      load: (username) =>
        Promise.resolve(Buffer.from(JSON.stringify({ username, version: current }))),
      opened,
    });
    expect(await h.cache.whenReady()).toBe(true);
    return h;
  }

  it('when the primary holding the bus slot is killed, then processes stop serving memory until resubscribed, and the next invalidation reaches all of them', async () => {
    const prefix = `${uniqueName('sfo')}:`;
    const a = await make(prefix);
    const b = await make(prefix);
    await b.cache.load('dana');
    expect(b.cache.peek('dana')).toBeDefined();

    const busSlot = redisKeySlot(b.redis, '{store-bus}');
    const victim = await cluster.primaryForSlot(busSlot);
    await cluster.stopNode(victim);
    // b's subscription went with the node: it must not answer from memory it can no longer
    // keep fresh.
    await eventually(() => b.cache.peek('dana') === undefined, { timeoutMs: 10_000 });

    // Once the replica is promoted, both resubscribe there (each proves it with a probe).
    await cluster.waitUntilHealthy(30_000);
    expect(await a.cache.whenReady(30_000)).toBe(true);
    expect(await b.cache.whenReady(30_000)).toBe(true);
    await b.cache.load('dana');
    expect(b.cache.peek('dana')).toBeDefined();
    current = 'v2';
    await a.cache.invalidate(['dana']);
    expect(version(b.cache.peek('dana')!.body)).toBe('v2');
    expect(metricValue(await a.metrics.metrics(), 'storefront_invalidation_fallbacks_total')).toBe(
      0,
    );
    expect(version((await b.cache.load('dana')).body)).toBe('v2');
  }, 90_000);
});
