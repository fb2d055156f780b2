import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { clusterTarget, uniqueName } from '@storefront/devstack/test-harness';
import {
  acquireRunLock,
  createCacheRedis,
  createLogger,
  type Redis,
  type RedisTarget,
} from '@storefront/shared';
import { createRazorpayGate } from '../src/reconciliation/razorpay-gate.ts';
import { loadCursor, saveCursor } from '../src/reconciliation/reconciliation.repository.ts';

const logger = createLogger({ level: 'silent', service: 'test' });
const connections: Redis[] = [];
afterEach(async () => {
  await Promise.allSettled(connections.splice(0).map((c) => c.quit()));
});

// Every test runs on the run's one redis-server and on its Redis Cluster.
const deployments: Array<[string, () => RedisTarget | string]> = [
  ['one node', () => inject('redisUrl')],
  ['Redis Cluster', clusterTarget],
];
let target: () => RedisTarget | string;

/** Connections sharing one key prefix: each stands for a worker process. */
function processes(n: number): Redis[] {
  const keyPrefix = `${uniqueName('gate')}:`;
  const made = Array.from({ length: n }, () =>
    createCacheRedis(target(), logger, { keyPrefix, enableOfflineQueue: true }),
  );
  connections.push(...made);
  return made;
}

const gateOptions = { maxCallsPerSecond: 20, backoffBaseMs: 400, backoffMaxMs: 5_000 };

describe.each(deployments)('on %s', (_name, deployment) => {
  beforeAll(() => {
    target = deployment;
  });

  describe('Razorpay call gate', () => {
    it('when two processes call as fast as they can, then together they stay under the cap', async () => {
      const gates = processes(2).map((redis) => createRazorpayGate(redis, gateOptions));
      const times: number[] = [];
      const started = performance.now();
      await Promise.all(
        gates.flatMap((gate) =>
          Array.from({ length: 3 }, async () => {
            for (let i = 0; i < 7; i += 1) {
              expect(await gate.acquire({ maxWaitMs: 10_000 })).toBe(true);
              times.push(performance.now());
            }
          }),
        ),
      );
      times.sort((a, b) => a - b);
      expect(times).toHaveLength(42);
      // Each call waits for a slot of its own, slots 50 ms apart from the start: the k-th call (in
      // time order) comes at least k × 50 ms after the start, whichever process made it. Timers
      // firing late only delay calls, so this holds on a busy machine too; uncapped, all 42 calls
      // would come within a few milliseconds.
      times.forEach((t, k) => expect(t - started).toBeGreaterThanOrEqual(k * 50 - 2));
    });

    it('when one process reports a 429 with Retry-After, then every process waits it out', async () => {
      const [a, b] = processes(2).map((redis) => createRazorpayGate(redis, gateOptions));
      // The pause runs from when Redis recorded it, inside failed(): timed from before that call,
      // not from its answer, which a busy machine delivers milliseconds into the pause.
      const started = performance.now();
      const { pauseMs } = await a!.failed(1);
      expect(pauseMs).toBeGreaterThan(990);
      expect(await b!.acquire({ maxWaitMs: 5_000 })).toBe(true);
      expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    });

    it('when the pause is longer than a caller will wait, then it gets no slot at once', async () => {
      const [a, b] = processes(2).map((redis) => createRazorpayGate(redis, gateOptions));
      await a!.failed(30);
      const started = performance.now();
      expect(await b!.acquire({ maxWaitMs: 1_000 })).toBe(false);
      expect(performance.now() - started).toBeLessThan(500);
    });

    it('when failures follow each other, then the shared pause grows until a success resets it', async () => {
      const [r1, r2] = processes(2);
      const a = createRazorpayGate(r1!, { ...gateOptions, random: () => 0 });
      const b = createRazorpayGate(r2!, { ...gateOptions, random: () => 0 });
      const first = await a.failed();
      const second = await b.failed();
      const third = await a.failed();
      expect([first.failures, second.failures, third.failures]).toEqual([1, 2, 3]);
      // Equal jitter with random 0: half of 400, 800, 1600 (a pause is never shortened).
      expect(first.pauseMs).toBeCloseTo(200, -1);
      expect(second.pauseMs).toBeCloseTo(400, -1);
      expect(third.pauseMs).toBeCloseTo(800, -1);
      expect(await b.acquire({ maxWaitMs: 2_000 })).toBe(true);
      await b.succeeded();
      expect((await a.failed()).failures).toBe(1);
    });

    it('when an abort signal fires during a pause, then acquire gives up', async () => {
      const [a, b] = processes(2).map((redis) => createRazorpayGate(redis, gateOptions));
      await a!.failed(3);
      const pending = b!.acquire({ maxWaitMs: 10_000, signal: AbortSignal.timeout(100) });
      expect(await pending).toBe(false);
    });
  });

  describe('run lock', () => {
    it('when one holder has the lock, then another gets none until it is released', async () => {
      const [r1, r2] = processes(2);
      const first = await acquireRunLock(r1!, 'lock', 5_000, logger);
      expect(first).not.toBeNull();
      expect(await acquireRunLock(r2!, 'lock', 5_000, logger)).toBeNull();
      await first!.release();
      const second = await acquireRunLock(r2!, 'lock', 5_000, logger);
      expect(second).not.toBeNull();
      await second!.release();
    });

    it('when a holder keeps running past the TTL, then renewals keep the lock', async () => {
      const [r1, r2] = processes(2);
      const lock = await acquireRunLock(r1!, 'lock', 300, logger);
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(lock!.signal.aborted).toBe(false);
      expect(await acquireRunLock(r2!, 'lock', 300, logger)).toBeNull();
      await lock!.release();
    });

    it('when another holder took the lock, then the old holder is told to stop and cannot release it', async () => {
      const [r1, r2] = processes(2);
      const lock = await acquireRunLock(r1!, 'lock', 300, logger);
      await r2!.set('lock', 'someone-else', 'PX', 5_000);
      await new Promise<void>((resolve) => lock!.signal.addEventListener('abort', () => resolve()));
      await lock!.release();
      expect(await r2!.get('lock')).toBe('someone-else');
    });
  });

  describe('reconciliation cursor', () => {
    it('when a cursor is saved, then the next run loads it, and a cleared one is gone', async () => {
      const [r1, r2] = processes(2);
      const cursor = { createdAt: new Date(1_700_000_000_000), id: '65a1b2c3d4e5f60718293a4b' };
      await saveCursor(r1!, cursor);
      expect(await loadCursor(r2!)).toEqual(cursor);
      await saveCursor(r1!, undefined);
      expect(await loadCursor(r2!)).toBeUndefined();
    });
  });
});
