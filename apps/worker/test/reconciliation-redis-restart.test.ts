import { afterAll, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '@storefront/devstack';
import { eventually } from '@storefront/test-support';
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
  const w = new ReconciliationWorld({ REDIS_URL: redis.url, RECONCILE_INTERVAL_MS: '200' });
  world = w;
  await w.start();
  worker = await startWorker(w.config);

  await redis.stop();
  redis = await startRedisServer({ port });
  const order = await w.order({ ageMs: 60_000 });
  await w.pay(order.gatewayOrderId as string, 'captured');

  // Settled by a run: the check entry is written right after the order turns paid.
  const settled = async () =>
    (await w.transactions(order._id)).some((t) => t.outcome === 'marked_paid');
  await eventually(settled, {
    what: 'the order reconciled after Redis came back',
    timeoutMs: 20_000,
    intervalMs: 100,
  });
  expect((await w.find(order._id)).status).toBe('paid');
}, 45_000);
