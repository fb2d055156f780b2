import { afterAll, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '@storefront/devstack';
import { startWorker, type RunningWorker } from '../src/index.ts';
import { ReconciliationWorld } from './reconciliation-fixtures.ts';

// Redis may come back empty (no persistence): the reconciliation schedule, which lived in Redis,
// must come back with it, or lost webhooks would never be reconciled again.

let redis: RedisServerHandle | undefined;
let worker: RunningWorker | undefined;
let world: ReconciliationWorld | undefined;

afterAll(async () => {
  await worker?.close();
  await world?.close();
  await redis?.stop();
});

it('when Redis restarts empty, then the schedule is restored and a lost webhook is still reconciled', async () => {
  redis = await startRedisServer();
  const port = redis.port;
  world = new ReconciliationWorld({ REDIS_URL: redis.url, RECONCILE_INTERVAL_MS: '200' });
  await world.start();
  worker = await startWorker(world.config);

  await redis.stop();
  redis = await startRedisServer({ port });
  const order = await world.order({ ageMs: 60_000 });
  await world.pay(order.gatewayOrderId as string, 'captured');

  const deadline = Date.now() + 20_000;
  while ((await world.find(order._id)).status !== 'paid') {
    if (Date.now() > deadline) throw new Error('order not reconciled after Redis came back');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect((await world.transactions(order._id)).map((t) => t.outcome)).toContain('marked_paid');
}, 45_000);
