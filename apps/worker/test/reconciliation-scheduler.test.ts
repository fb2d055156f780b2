import { Queue } from 'bullmq';
import { afterAll, expect, it } from 'vitest';
import {
  QUEUES,
  createLogger,
  createQueueRedis,
  deliveryModel,
  type Redis,
} from '@storefront/shared';
import { eventually } from '@storefront/test-support';
import { startWorker, type RunningWorker } from '../src/index.ts';
import type { ReconciliationJobResult } from '../src/reconciliation/register-reconciliation.ts';
import { ReconciliationWorld } from './reconciliation-fixtures.ts';

// Reconciliation as production runs it: the BullMQ job scheduler in two worker processes
// (startWorker twice over the same database, Redis prefixes and account).

const world = new ReconciliationWorld({
  RECONCILE_INTERVAL_MS: '150',
  RECONCILE_CONCURRENCY: '1',
});
const workers: RunningWorker[] = [];
let queueRedis: Redis | undefined;

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.close()));
  await queueRedis?.quit();
  await world.close();
});

it('when two workers run the scheduler, then runs never overlap and a lost webhook ends paid and delivered once', async () => {
  await world.start();
  const paid = await world.order({ ageMs: 60_000 });
  await world.pay(paid.gatewayOrderId as string, 'captured');
  for (let i = 0; i < 3; i += 1) await world.order({ ageMs: 50_000 });
  // Slow answers make each run (4 orders, one at a time) longer than the interval, so the
  // scheduler fires while a run is still going.
  await world.fault({ latencyMs: 120, count: 40 });

  workers.push(await startWorker(world.config), await startWorker(world.config));
  queueRedis = createQueueRedis(
    world.config.REDIS_URL,
    createLogger({ level: 'silent', service: 'test' }),
  );
  const queue = new Queue<unknown, ReconciliationJobResult>(QUEUES.reconciliation, {
    connection: queueRedis,
    prefix: world.config.QUEUE_PREFIX,
  });
  const runs = async () =>
    (await queue.getJobs(['completed'])).map((j) => j.returnvalue).filter((r) => r !== undefined);

  await eventually(
    async () =>
      (await runs()).filter((r) => r.checked > 0).length >= 5 &&
      (await world.find(paid._id)).delivery?.status === 'delivered',
    {
      what: 'five runs that checked orders and the paid order delivered',
      timeoutMs: 20_000,
      intervalMs: 50,
    },
  );
  await Promise.all(workers.map((w) => w.close()));

  // A `skipped` run found the lock taken and did nothing; every other run must be alone.
  const done = (await runs())
    .filter((r) => r.result !== 'skipped')
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (let i = 1; i < done.length; i += 1) {
    expect(Date.parse((done[i] as ReconciliationJobResult).startedAt)).toBeGreaterThanOrEqual(
      Date.parse((done[i - 1] as ReconciliationJobResult).finishedAt),
    );
  }
  // Runs were long enough to overlap had nothing prevented it.
  const durations = done
    .filter((r) => r.checked === 4)
    .map((r) => Date.parse(r.finishedAt) - Date.parse(r.startedAt));
  expect(Math.max(...durations)).toBeGreaterThan(150);

  const order = await world.find(paid._id);
  expect(order.status).toBe('paid');
  expect(order.delivery?.status).toBe('delivered');
  expect(await deliveryModel(world.mongo).countDocuments({ orderId: paid._id })).toBe(1);
  expect((await world.transactions(paid._id)).filter((t) => t.outcome === 'paid')).toHaveLength(1);
  await queue.close();
});
