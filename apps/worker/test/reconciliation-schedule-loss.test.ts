import { Queue } from 'bullmq';
import { afterEach, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '@storefront/devstack';
import { createLogger, createQueueRedis, QUEUES, SCHEDULERS } from '@storefront/shared';
import { boundedTeardown, eventually } from '@storefront/test-support';
import { startWorker, type RunningWorker } from '../src/index.ts';
import { ReconciliationWorld } from './reconciliation-fixtures.ts';

// The reconciliation schedule lives in Redis, and Redis can lose it: a restart without
// persistence loses everything, and a Redis Cluster or Sentinel failover can promote a replica
// that lacks the scheduler's latest writes while the worker's connection never reconnects (no
// `ready`; the Cluster failover chaos run once showed reconciliation stopped for good after the
// kill, with captured payments left unpaid). Either way the worker must put the schedule back, or
// lost webhooks would never be reconciled again.

let redis: RedisServerHandle | undefined;
let worker: RunningWorker | undefined;
let world: ReconciliationWorld | undefined;

// Each step of the teardown gets a bounded wait and the next one runs regardless, so that a step
// that hangs is named and redis-server is still stopped. (worker.close() used to hang here about
// 1 run in 20: a BullMQ worker's blocking connection not yet back after the restart was parked
// for good by ioredis 6.0; shutdown-redis-outage.test.ts reproduces it.)
const TEARDOWN_STEP_MS = 15_000;

afterEach(async () => {
  const w = worker;
  const wd = world;
  const r = redis;
  worker = world = redis = undefined;
  const hung = await boundedTeardown(TEARDOWN_STEP_MS, [
    ['worker.close()', w && (() => w.close())],
    ['world.close()', wd && (() => wd.close())],
    ['redis.stop()', r && (() => r.stop())],
  ]);
  expect(hung, `teardown steps that did not finish within ${TEARDOWN_STEP_MS} ms`).toEqual([]);
});

/** Redis, the reconciliation world and a running worker, reconciling every 200 ms. */
async function startScheduled(
  overrides: Record<string, string> = {},
): Promise<ReconciliationWorld> {
  redis = await startRedisServer();
  const w = new ReconciliationWorld({
    REDIS_URL: redis.url,
    RECONCILE_INTERVAL_MS: '200',
    ...overrides,
  });
  world = w;
  await w.start();
  worker = await startWorker(w.config);
  return w;
}

/** A captured payment whose webhooks were lost is settled by a reconciliation run. */
async function expectLostWebhookReconciled(w: ReconciliationWorld, what: string): Promise<void> {
  const order = await w.order({ ageMs: 60_000 });
  await w.pay(order.gatewayOrderId as string, 'captured');
  // Settled by a run: the check entry is written right after the order turns paid.
  await eventually(
    async () => (await w.transactions(order._id)).some((t) => t.outcome === 'marked_paid'),
    { what, timeoutMs: 20_000, intervalMs: 100 },
  );
  expect((await w.find(order._id)).status).toBe('paid');
}

it('when Redis restarts empty, then the schedule is restored and a lost webhook is still reconciled', async () => {
  const w = await startScheduled();
  const port = (redis as RedisServerHandle).port;
  await (redis as RedisServerHandle).stop();
  redis = await startRedisServer({ port });
  await expectLostWebhookReconciled(w, 'the order reconciled after Redis came back');
}, 45_000);

it('when the reconciliation schedule vanishes from Redis without a reconnect, then the worker restores it and a lost webhook is still reconciled', async () => {
  const w = await startScheduled({ WORKER_SCHEDULE_CHECK_MS: '500' });
  const connection = createQueueRedis(
    (redis as RedisServerHandle).url,
    createLogger({ level: 'silent', service: 'test' }),
  );
  const queue = new Queue(QUEUES.reconciliation, { connection, prefix: w.config.QUEUE_PREFIX });
  try {
    await eventually(async () => (await queue.getJobSchedulers()).length === 1, {
      what: 'the reconciliation schedule in Redis',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    // Gone, with its next run: what a promoted replica that missed the writes would hold.
    await queue.removeJobScheduler(SCHEDULERS.reconciliation);
    expect(await queue.getJobSchedulers()).toEqual([]);

    // Back within a few WORKER_SCHEDULE_CHECK_MS, then runs resume. (Read only once, right after
    // the order was reconciled, this raced: a run already under way when the scheduler was
    // removed could settle the order before the worker had put the scheduler back.)
    await eventually(async () => (await queue.getJobSchedulers()).length === 1, {
      what: 'the reconciliation schedule put back',
      timeoutMs: 5_000,
      intervalMs: 50,
    });
    await expectLostWebhookReconciled(w, 'the order reconciled after the schedule was lost');
  } finally {
    await queue.close();
    await connection.quit();
  }
}, 45_000);
