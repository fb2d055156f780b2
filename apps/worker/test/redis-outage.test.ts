import { afterAll, describe, expect, inject, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '@storefront/devstack';
import { deliveryModel, orderModel, webhookEventModel, type Order } from '@storefront/shared';
import {
  buy,
  payInSandbox,
  sellingCreator,
  type Stack,
  startStack,
} from '@storefront/test-support';
import { deliveredOrder } from './helpers/fixtures.ts';

// Redis is the fast path only: with it down, the API still acknowledges webhooks (they are in the
// MongoDB inbox) and the worker applies them once Redis is back, even though the restarted Redis
// has lost every queue, job and schedule.

let redis: RedisServerHandle | undefined;
let stack: Stack | undefined;

afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

describe('redis outage', () => {
  it('when Redis is down as the webhook arrives, then the API answers 200 and the order is paid after Redis returns', async () => {
    redis = await startRedisServer();
    const port = redis.port;
    stack = await startStack({ REDIS_URL: redis.url });
    const seeded = await sellingCreator(stack);
    const order = await buy(stack.api.url, seeded);

    await redis.stop();
    const paid = await payInSandbox(inject('razorpayUrl'), order.razorpay.orderId, {
      status: 'captured',
      deliver: { retries: 0 },
    });
    const deliveries = paid.deliveries.filter((d) => d.event === 'payment.captured');
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.statusCode === 200)).toBe(true);
    const mongo = stack.api.deps.mongo;
    const inbox = await webhookEventModel(mongo)
      .find({ _id: { $in: paid.deliveries.map((d) => d.eventId) } })
      .lean()
      .exec();
    expect(inbox.length).toBe(new Set(paid.deliveries.map((d) => d.eventId)).size);
    expect((await orderModel(mongo).findById(order.orderId).lean<Order>().exec())?.status).toBe(
      'pending',
    );

    // Back on the same port, empty (no persistence): the sweeper's schedule is restored on
    // reconnect and it finds the inbox events without jobs.
    redis = await startRedisServer({ port });
    const done = await deliveredOrder(mongo, order.orderId, {
      timeoutMs: 25_000,
      what: 'order paid and delivered after Redis returned',
    });
    expect(done.status).toBe('paid');
    expect(await deliveryModel(mongo).countDocuments({ orderId: order.orderId })).toBe(1);
  }, 45_000);
});
