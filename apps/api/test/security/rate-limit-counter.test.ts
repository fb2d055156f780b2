import { once } from 'node:events';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { uniqueName } from '@storefront/devstack/test-harness';
import { createCacheRedis, createLogger, type Redis } from '@storefront/shared';
import { pollUntil } from '@storefront/test-support';
import { RateLimitCounter } from '../../src/security/rate-limit-counter.ts';

const logger = createLogger({ level: 'silent', service: 'test' });
const WINDOW_MS = 60_000;

interface Harness {
  redis: Redis;
  counter: RateLimitCounter;
  /** Script calls made through this counter's connection. */
  calls: number;
  errors: Array<{ err: unknown; waiters: number }>;
}

const opened: Harness[] = [];

async function harness(prefix: string, url = inject('redisUrl')): Promise<Harness> {
  const redis = createCacheRedis(url, logger, { keyPrefix: prefix });
  if (url === inject('redisUrl')) await once(redis, 'ready');
  const h: Harness = { redis, counter: undefined as never, calls: 0, errors: [] };
  // Counts script calls on the connection (the counter is not touched).
  const evalsha = redis.evalsha.bind(redis) as (...a: unknown[]) => Promise<unknown>;
  (redis as unknown as { evalsha: (...a: unknown[]) => Promise<unknown> }).evalsha = (...a) => {
    h.calls += 1;
    return evalsha(...a);
  };
  h.counter = new RateLimitCounter({
    redis,
    windowMs: WINDOW_MS,
    flushMs: 50,
    onError: (err, waiters) => h.errors.push({ err, waiters }),
  });
  opened.push(h);
  return h;
}

const until = <T>(read: () => Promise<T>, ok: (v: T) => boolean) =>
  pollUntil(read, ok, { timeoutMs: 5_000, intervalMs: 10 });

function waitTotal(h: Harness, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    h.counter.addAndWait(h.counter.entry(key, Date.now()), (err, total) =>
      err === undefined ? resolve(total) : reject(err),
    );
  });
}

afterEach(async () => {
  for (const h of opened.splice(0)) {
    await h.counter.close();
    h.redis.disconnect();
  }
});

describe('RateLimitCounter', () => {
  it('when many requests are counted locally, then they reach Redis together in one background call', async () => {
    const prefix = `${uniqueName('rlc')}:`;
    const h = await harness(prefix);
    for (let i = 0; i < 40; i++) h.counter.add(h.counter.entry(`k${i % 4}`, Date.now()));
    expect(await h.redis.get('k0')).toBeNull(); // nothing was sent synchronously
    const total = await until(
      () => h.redis.mget('k0', 'k1', 'k2', 'k3'),
      (v) => v.every((x) => x === '10'),
    );
    expect(total).toEqual(['10', '10', '10', '10']);
    expect(h.calls).toBe(1);
    const ttl = await h.redis.pttl('k0');
    expect(ttl).toBeGreaterThan(WINDOW_MS - 5_000);
    expect(ttl).toBeLessThanOrEqual(WINDOW_MS);
    const e = h.counter.entry('k0', Date.now());
    expect(e.known).toBe(10);
    expect(e.pending + e.inflight).toBe(0);
  });

  it('when requests wait, then each learns its exact position in the total shared with another process', async () => {
    const prefix = `${uniqueName('rlc')}:`;
    const a = await harness(prefix);
    const b = await harness(prefix);
    for (let i = 0; i < 3; i++) a.counter.add(a.counter.entry('client', Date.now()));
    await until(
      () => a.redis.get('client'),
      (v) => v === '3',
    );
    const totals = await Promise.all([waitTotal(b, 'client'), waitTotal(b, 'client')]);
    expect(totals).toEqual([4, 5]);
    expect(b.calls).toBe(1); // both waiters rode one flush
    expect(b.counter.entry('client', Date.now()).known).toBe(5);
  });

  it('when a key has counts in flight and more requests wait, then a second flush follows at once', async () => {
    const h = await harness(`${uniqueName('rlc')}:`);
    const first = waitTotal(h, 'x');
    const second = new Promise<number>((resolve, reject) => {
      // Queued while the first flush is in flight.
      setImmediate(() => {
        waitTotal(h, 'x').then(resolve, reject);
      });
    });
    expect(await Promise.all([first, second])).toEqual([1, 2]);
  });

  it("when a key's window has passed, then its local count starts over", async () => {
    const h = await harness(`${uniqueName('rlc')}:`);
    expect(await waitTotal(h, 'w')).toBe(1);
    const e = h.counter.entry('w', Date.now());
    expect(e.known).toBe(1);
    const resetAt = e.resetAt;
    const later = h.counter.entry('w', resetAt + 1);
    expect(later.known).toBe(0);
    expect(later.resetAt).toBe(resetAt + 1 + WINDOW_MS);
  });

  it('when the counter closes, then counts not yet sent reach Redis', async () => {
    const prefix = `${uniqueName('rlc')}:`;
    const h = await harness(prefix);
    h.counter.add(h.counter.entry('c', Date.now()));
    h.counter.add(h.counter.entry('c', Date.now()));
    await h.counter.close();
    expect(await h.redis.get('c')).toBe('2');
  });

  it('when Redis is unreachable, then the counter says so and waiting requests get the error', async () => {
    const h = await harness('down:', 'redis://127.0.0.1:1');
    expect(h.counter.available).toBe(false);
    await expect(waitTotal(h, 'd')).rejects.toThrow();
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]?.waiters).toBe(1);
  });

  it('when the script is not loaded in Redis, then the counter loads it and counts', async () => {
    const prefix = `${uniqueName('rlc')}:`;
    const h = await harness(prefix);
    await h.redis.script('FLUSH');
    expect(await waitTotal(h, 'n')).toBe(1);
  });
});
