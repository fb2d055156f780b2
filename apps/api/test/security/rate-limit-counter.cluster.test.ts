import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTarget, uniqueName } from '@storefront/devstack/test-harness';
import { createCacheRedis, createLogger, redisKeySlot, type Redis } from '@storefront/shared';
import { RateLimitCounter } from '../../src/security/rate-limit-counter.ts';

// The rate-limit flush on a real Redis Cluster: its script touches every key of a batch, so a
// batch that spans slots must be split, or the cluster refuses it (CROSSSLOT).
const logger = createLogger({ level: 'silent', service: 'test' });

describe('rate-limit counter on Redis Cluster', () => {
  let redis: Redis;
  let calls = 0;
  const errors: unknown[] = [];
  let counter: RateLimitCounter;
  const prefix = `${uniqueName('rlc')}:`;

  beforeAll(async () => {
    redis = createCacheRedis(clusterTarget(), logger, { keyPrefix: prefix });
    await once(redis, 'ready');
    const evalsha = redis.evalsha.bind(redis) as (...a: unknown[]) => Promise<unknown>;
    (redis as unknown as { evalsha: typeof evalsha }).evalsha = (...a) => {
      calls += 1;
      return evalsha(...a);
    };
    counter = new RateLimitCounter({
      redis,
      windowMs: 60_000,
      flushMs: 20,
      onError: (err) => errors.push(err),
    });
  });
  afterAll(async () => {
    await counter?.close();
    redis?.disconnect();
  });

  it('when one flush carries keys of many slots, then it sends one call per slot and every total is exact', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `rl:public:client-${i}`);
    const slots = new Set(keys.map((k) => redisKeySlot(redis, k)));
    expect(slots.size).toBeGreaterThan(1);
    const totals = await Promise.all(
      keys.flatMap((key) =>
        [1, 2, 3].map(
          () =>
            new Promise<number>((resolve, reject) =>
              counter.addAndWait(counter.entry(key, Date.now()), (err, total) =>
                err === undefined ? resolve(total) : reject(err),
              ),
            ),
        ),
      ),
    );
    expect(errors).toEqual([]);
    // Each key's three requests got positions 1, 2, 3 of its shared count.
    for (let k = 0; k < keys.length; k++) {
      expect(totals.slice(3 * k, 3 * k + 3).sort()).toEqual([1, 2, 3]);
    }
    expect(calls).toBe(slots.size);
    for (const key of keys) expect(await redis.get(key)).toBe('3');
  });

  it('when keys of two slots go to one script call, then the cluster refuses it (what the grouping prevents)', async () => {
    const [a, b] = ['rl:x:1', 'rl:x:2'];
    expect(redisKeySlot(redis, a)).not.toBe(redisKeySlot(redis, b));
    await expect(redis.eval("return redis.call('GET', KEYS[1])", 2, a, b)).rejects.toThrow(
      /CROSSSLOT|same slot/,
    );
  });
});
