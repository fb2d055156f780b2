import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createCacheRedis, createLogger, type MetricsRegistry } from '@storefront/shared';
import { uniqueName } from '@storefront/devstack/test-harness';
import { eventually, metricValue } from '@storefront/test-support';
import { startStoreCache, type Opened, type StoreCacheUnderTest } from './store-cache-harness.ts';

// The cache on its own, against the run's real redis-server, with a loader the test controls:
// it stands in for MongoDB so a read can be held open across a write.

const logger = createLogger({ level: 'silent', service: 'test' });

describe('StoreCache consistency', () => {
  let prefix: string;
  let opened: Opened;
  /** What the "database" holds now; a load reads it when it starts, like a query snapshot. */
  let current: string;
  let loads: number;
  let gate: Promise<void> | undefined;
  /** The next load fails, as a MongoDB read that timed out. */
  let failNext: boolean;

  const load = async (username: string): Promise<Buffer | null> => {
    loads += 1;
    const snapshot = current;
    if (failNext) {
      failNext = false;
      throw new Error('read failed');
    }
    await gate;
    return Buffer.from(JSON.stringify({ username, version: snapshot }));
  };

  async function make(memoryTtlMs = 60_000): Promise<StoreCacheUnderTest> {
    const h = await startStoreCache({
      target: inject('redisUrl'),
      prefix,
      load,
      memoryTtlMs,
      opened,
    });
    expect(await h.cache.whenReady()).toBe(true);
    return h;
  }

  const until = (cond: () => boolean) => eventually(cond, { timeoutMs: 5_000, intervalMs: 2 });
  const version = (buf: Buffer) => (JSON.parse(buf.toString()) as { version: string }).version;
  const counter = async (m: MetricsRegistry, name: string, labels: Record<string, string> = {}) =>
    metricValue(await m.metrics(), name, labels);
  const replacements = (m: MetricsRegistry, outcome: string) =>
    counter(m, 'storefront_invalidation_replacements_total', { outcome });
  const held = (c: StoreCacheUnderTest, username: string) => {
    const hit = c.cache.peek(username);
    return hit ? version(hit.body) : undefined;
  };

  beforeEach(() => {
    prefix = `${uniqueName('sc')}:`;
    opened = { conns: [], caches: [] };
    current = 'v1';
    loads = 0;
    gate = undefined;
    failNext = false;
  });
  afterEach(async () => {
    for (const c of opened.caches) c.close();
    await Promise.allSettled(opened.conns.map((c) => c.quit()));
  });

  it('when a slow read that started before a write finishes after the invalidation, then it fills neither memory nor Redis', async () => {
    const a = await make();
    const b = await make();
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const slow = a.cache.load('alice'); // reads v1, then stalls
    await until(() => loads === 1);
    current = 'v2'; // the write commits...
    await b.cache.invalidate(['alice']); // ...and its invalidation completes
    open();
    gate = undefined;
    expect(version((await slow).body)).toBe('v1'); // answered to the request that was already waiting
    const redis = opened.conns[0]!;
    expect(await redis.get('store:{alice}')).toBeNull();
    expect(a.cache.peek('alice')).toBeUndefined();
    expect(version((await a.cache.load('alice')).body)).toBe('v2');
    expect(version((await b.cache.load('alice')).body)).toBe('v2');
  });

  it('when an invalidation lands during a fill, then later requests start a new fill instead of joining the old one', async () => {
    const a = await make();
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const first = a.cache.load('bob');
    await until(() => loads === 1);
    current = 'v2';
    await a.cache.invalidate(['bob']);
    const second = a.cache.load('bob'); // must not join `first`
    open();
    gate = undefined;
    expect(version((await first).body)).toBe('v1');
    expect(version((await second).body)).toBe('v2');
    expect(loads).toBe(2);
  });

  it('when a subscribed process never acknowledges, then invalidate waits out the memory TTL before resolving', async () => {
    const memoryTtlMs = 300;
    const a = await make(memoryTtlMs);
    const t0 = performance.now();
    await a.cache.invalidate(['carol']);
    const acked = performance.now() - t0;
    expect(acked).toBeLessThan(memoryTtlMs);

    // A stuck process: subscribed (so PUBLISH counts it), never acknowledging.
    const stuck = createCacheRedis(inject('redisUrl'), logger);
    opened.conns.push(stuck);
    await new Promise((r) => stuck.once('ready', r));
    await stuck.subscribe(`${prefix}store:invalidate`);
    const t1 = performance.now();
    await a.cache.invalidate(['carol']);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(memoryTtlMs);
    expect(await counter(a.metrics, 'storefront_invalidation_fallbacks_total')).toBe(1);
  });

  it('when a process loses its subscription, then it stops serving from memory and sees the next write', async () => {
    const a = await make();
    const b = await make();
    await b.cache.load('dave');
    expect(b.cache.peek('dave')).toBeDefined();
    const closed = new Promise((r) => b.subscriber.once('close', r));
    b.subscriber.disconnect();
    await closed;
    expect(b.cache.peek('dave')).toBeUndefined(); // memory dropped with the subscription
    current = 'v2';
    await a.cache.invalidate(['dave']); // b is no longer counted and cannot ack
    expect(version((await b.cache.load('dave')).body)).toBe('v2');
    expect(b.cache.peek('dave')).toBeUndefined(); // and it keeps memory off while unsubscribed
  });

  it('when a process reconnects its subscription, then it serves from memory again', async () => {
    const b = await make();
    const ended = new Promise((r) => b.subscriber.once('end', r));
    b.subscriber.disconnect();
    await ended;
    b.subscriber.connect().catch(() => undefined);
    expect(await b.cache.whenReady()).toBe(true);
    await b.cache.load('erin');
    expect(b.cache.peek('erin')).toBeDefined();
  });
  it('when a process holding a storefront writes it, then readers in every process are answered from memory throughout and see the new version once the write is answered', async () => {
    const a = await make();
    const b = await make();
    await a.cache.load('fay');
    await b.cache.load('fay'); // from Redis
    expect(loads).toBe(1);
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    current = 'v2';
    const writing = a.cache.invalidate(['fay']);
    await until(() => loads === 2); // the new version is being read...
    expect(held(a, 'fay')).toBe('v1'); // ...while the unanswered write's readers still get the old one
    open();
    gate = undefined;
    await writing;
    expect(held(a, 'fay')).toBe('v2'); // in place when the write is answered: no reader waits for a refill
    expect(held(b, 'fay')).toBe('v2'); // the other process read it from Redis before acknowledging
    expect(loads).toBe(2);
    expect(await replacements(a.metrics, 'replaced')).toBe(1);
    expect(await replacements(b.metrics, 'replaced')).toBe(1);
    expect(await counter(a.metrics, 'storefront_invalidations_total', { origin: 'remote' })).toBe(
      0,
    );
    expect(await counter(b.metrics, 'storefront_invalidations_total', { origin: 'remote' })).toBe(
      1,
    );
  });

  it('when the new version is not read within a second, then the write drops the old one and readers get the new one from the fill still running', async () => {
    const a = await make();
    await a.cache.load('gus');
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    current = 'v2';
    await a.cache.invalidate(['gus']); // answered although the read of v2 is still held
    expect(held(a, 'gus')).toBeUndefined();
    const reader = a.cache.load('gus'); // joins the running fill
    open();
    gate = undefined;
    expect(version((await reader).body)).toBe('v2');
    expect(loads).toBe(2);
    expect(await replacements(a.metrics, 'dropped')).toBe(1);
  });

  it('when reading the new version fails, then the write drops the old one and is still answered', async () => {
    const a = await make();
    await a.cache.load('hal');
    current = 'v2';
    failNext = true;
    await a.cache.invalidate(['hal']);
    expect(held(a, 'hal')).toBeUndefined();
    expect(version((await a.cache.load('hal')).body)).toBe('v2');
    expect(await replacements(a.metrics, 'dropped')).toBe(1);
  });

  it('when Redis cannot take the invalidation, then the process drops its copy instead of reading one back', async () => {
    const a = await make(300);
    await a.cache.load('ida');
    a.redis.disconnect(); // the cache connection fails fast; the subscription stays up
    current = 'v2';
    await a.cache.invalidate(['ida']); // nor can it publish: it waits out the memory TTL
    expect(held(a, 'ida')).toBeUndefined();
    expect(loads).toBe(1); // nothing read back: Redis may still hold the old value
    expect(await replacements(a.metrics, 'replaced')).toBe(0);
    expect(await counter(a.metrics, 'storefront_redis_errors_total')).toBeGreaterThan(0);
    expect(await counter(a.metrics, 'storefront_invalidation_fallbacks_total')).toBe(1);
  });
  it('when an invalidation does not say the new version is in Redis (a process of an earlier version), then a receiver drops its copy before acknowledging', async () => {
    const b = await make();
    await b.cache.load('kim');
    const ear = createCacheRedis(inject('redisUrl'), logger);
    opened.conns.push(ear);
    await new Promise((r) => ear.once('ready', r));
    await ear.subscribe(`${prefix}store:ack:old-writer`);
    const acked = new Promise((r) => ear.once('message', r));
    const publisher = opened.conns[0]!;
    const message = { id: 'inv-1', from: 'old-writer', usernames: ['kim'] };
    expect(await publisher.publish(`${prefix}store:invalidate`, JSON.stringify(message))).toBe(1);
    await acked;
    expect(held(b, 'kim')).toBeUndefined();
    expect(loads).toBe(1);
    expect(await replacements(b.metrics, 'replaced')).toBe(0);
  });
});
