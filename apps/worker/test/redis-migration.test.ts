import { afterAll, describe, expect, inject, it } from 'vitest';
import { clusterRedisEnv, testConfig, uniqueName } from '@storefront/devstack/test-harness';
import {
  createLogger,
  createMongoConnection,
  createQueueRedis,
  deliveryModel,
  QUEUES,
  transactionModel,
  webhookEventModel,
} from '@storefront/shared';
import {
  buy,
  payInSandbox,
  pollUntil,
  sellingCreator,
  startTestApi,
  type CheckoutResponse,
} from '@storefront/test-support';
import { startWorker, type RunningWorker } from '../src/index.ts';
import { deliveredOrder } from './helpers/fixtures.ts';

// The runbook in docs/operations.md ("Moving from one Redis to Redis Cluster"), rehearsed: webhooks
// are acknowledged and queued while the system runs on one Redis node with its workers stopped,
// then the workers start on the Redis Cluster (same database, same QUEUE_PREFIX) and the jobs
// left behind in the old Redis are never run there. Every acknowledged payment is applied and
// delivered once, from the inbox, by the sweeper.

describe('moving from one Redis node to Redis Cluster', () => {
  const name = uniqueName('move');
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  it('when webhooks were acknowledged and queued on the old Redis and the workers start on the cluster, then every payment is applied and delivered once', async () => {
    // Step 2 of the runbook: workers stopped; the API keeps acknowledging into the inbox and the
    // old Redis.
    const oldApi = await startTestApi({}, name);
    closers.push(() => oldApi.close());
    const stack = { api: oldApi, config: oldApi.deps.config };
    const seeded = await sellingCreator(stack);
    const orders: CheckoutResponse[] = [];
    for (let i = 0; i < 3; i++) {
      const order = await buy(oldApi.url, seeded);
      const paid = await payInSandbox(inject('razorpayUrl'), order.razorpay.orderId, {
        status: 'captured',
      });
      expect(paid.deliveries.every((d) => d.statusCode === 200)).toBe(true);
      orders.push(order);
    }
    const logger = createLogger({ level: 'silent', service: 'test' });
    // The test's own connection: the API's closes with it.
    const mongo = await createMongoConnection({
      url: oldApi.deps.config.MONGO_URL,
      poolSize: 2,
      logger,
    });
    closers.push(() => mongo.close());
    // Acknowledged: in the inbox, unprocessed, and queued in the old Redis.
    const inbox = await webhookEventModel(mongo).find({}).lean().exec();
    expect(inbox.length).toBeGreaterThanOrEqual(3);
    expect(inbox.every((e) => e.status === 'received')).toBe(true);
    const oldRedis = createQueueRedis(oldApi.deps.config.REDIS_URL, logger);
    closers.push(() => {
      oldRedis.disconnect();
      return Promise.resolve();
    });
    const waitingOnOld = await oldRedis.llen(
      `${oldApi.deps.config.QUEUE_PREFIX}:${QUEUES.webhooks}:wait`,
    );
    expect(waitingOnOld).toBe(inbox.length);

    // Steps 3 and 4: the API moves to the cluster (here: stops taking webhooks), workers start on it.
    await oldApi.close();
    const worker: RunningWorker = await startWorker(
      testConfig({ ...clusterRedisEnv(), WEBHOOK_SWEEP_INTERVAL_MS: '250' }, name),
    );
    closers.push(() => worker.close());

    for (const order of orders) {
      const done = await deliveredOrder(mongo, order.orderId, {
        what: `order ${order.orderId} paid and delivered from the cluster`,
        timeoutMs: 20_000,
      });
      expect(done.status).toBe('paid');
    }
    // The event that paid an order is not always its last: the sweeper may still be on the
    // others (an order.paid after the captured payment) when the delivery is seen. Every one of
    // them is processed, and none applies or delivers the payment again.
    await pollUntil(
      () => webhookEventModel(mongo).countDocuments({ status: { $in: ['received', 'failed'] } }),
      (left) => left === 0,
      { what: 'every acknowledged event processed from the cluster', timeoutMs: 20_000 },
    );
    for (const order of orders) {
      expect(await deliveryModel(mongo).countDocuments({ orderId: order.orderId })).toBe(1);
      expect(
        await transactionModel(mongo).countDocuments({ orderId: order.orderId, outcome: 'paid' }),
      ).toBe(1);
    }
    // Step 5: what the old Redis still holds is redundant (no worker ever ran there).
    expect(await oldRedis.llen(`${oldApi.deps.config.QUEUE_PREFIX}:${QUEUES.webhooks}:wait`)).toBe(
      waitingOnOld,
    );
  });
});
