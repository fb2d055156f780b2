import { Queue } from 'bullmq';
import { afterAll, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '@storefront/devstack';
import { createLogger, createQueueRedis, QUEUES, SCHEDULERS } from '@storefront/shared';
import { eventually } from '@storefront/test-support';
import { startWorker, type RunningWorker } from '../src/index.ts';
import { ReconciliationWorld } from './reconciliation-fixtures.ts';

// A Redis Cluster or Sentinel failover can promote a replica that lacks the scheduler's latest
// writes while the worker's connection never reconnects (no `ready`): the Cluster failover chaos
// run once showed reconciliation stopped for good after the kill, with captured payments left
// unpaid. Here the scheduler is removed behind the worker's back, on a connection of its own, and
// the worker must put it back (WORKER_SCHEDULE_CHECK_MS) so that a lost webhook is still
// reconciled.

let redis: RedisServerHandle | undefined;
let worker: RunningWorker | undefined;
let world: ReconciliationWorld | undefined;

afterAll(async () => {
  await worker?.close();
  await world?.close();
  await redis?.stop();
});

it('when the reconciliation schedule vanishes from Redis without a reconnect, then the worker restores it and a lost webhook is still reconciled', async () => {
  redis = await startRedisServer();
  const w = new ReconciliationWorld({
    REDIS_URL: redis.url,
    RECONCILE_INTERVAL_MS: '200',
    WORKER_SCHEDULE_CHECK_MS: '500',
  });
  world = w;
  await w.start();
  worker = await startWorker(w.config);

  const connection = createQueueRedis(
    redis.url,
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

    const order = await w.order({ ageMs: 60_000 });
    await w.pay(order.gatewayOrderId as string, 'captured');
    await eventually(
      async () => (await w.transactions(order._id)).some((t) => t.outcome === 'marked_paid'),
      {
        what: 'the order reconciled after the schedule was lost',
        timeoutMs: 15_000,
        intervalMs: 100,
      },
    );
    expect((await w.find(order._id)).status).toBe('paid');
    expect(await queue.getJobSchedulers()).toHaveLength(1);
  } finally {
    await queue.close();
    await connection.quit();
  }
}, 45_000);
