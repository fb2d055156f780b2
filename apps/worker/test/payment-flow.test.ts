import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_DEPLOYMENTS_WITH_SENTINEL } from '@storefront/devstack/test-harness';
import { deliveryModel, transactionModel } from '@storefront/shared';
import {
  buy,
  eventually,
  getOrderStatus,
  metricValue,
  payInSandbox,
  scrape,
  sellingCreator,
  type Stack,
  startStack,
} from '@storefront/test-support';
import { deliveredOrder } from './helpers/fixtures.ts';

// End to end over real processes and connections: checkout on the API, payment in the Razorpay
// sandbox, the sandbox's signed webhooks into the API's inbox, the worker applying them, and the
// buyer's download link served by local S3. On the run's one redis-server, and again with API
// and worker on its Redis Cluster (queues under the hash-tagged QUEUE_PREFIX), and on its
// password-protected Sentinel set.

describe.each(REDIS_DEPLOYMENTS_WITH_SENTINEL)('payment flow on %s', (_name, redisEnv) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(redisEnv());
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('when a buyer pays, then the order is paid, delivered once and the download link serves the file', async () => {
    const file = Buffer.from('%PDF-1.4 the product\n');
    const seeded = await sellingCreator(stack, { uploadFile: file });
    const order = await buy(stack.api.url, seeded);
    const before = await scrape(stack.worker.url);

    const paid = await payInSandbox(inject('razorpayUrl'), order.razorpay.orderId, {
      status: 'captured',
    });
    expect(paid.deliveries.every((d) => d.statusCode === 200)).toBe(true);

    const view = await eventually(async () => {
      const res = await getOrderStatus(stack.api.url, order.orderId, order.accessToken);
      return res.body.download ? res.body : null;
    });
    expect(view.status).toBe('paid');
    const download = await fetch((view.download as { url: string }).url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(file);

    const mongo = stack.api.deps.mongo;
    expect(await deliveryModel(mongo).countDocuments({ orderId: order.orderId })).toBe(1);
    const log = await transactionModel(mongo).find({ orderId: order.orderId }).lean().exec();
    expect(log.filter((t) => t.outcome === 'paid')).toHaveLength(1);
    const after = await scrape(stack.worker.url);
    expect(metricValue(after, 'deliveries_total') - metricValue(before, 'deliveries_total')).toBe(
      1,
    );
  });

  it("when the buyer's status read waits for the download, then the worker's delivery notice answers it", async () => {
    const seeded = await sellingCreator(stack, { uploadFile: Buffer.from('%PDF-1.4 waited\n') });
    const order = await buy(stack.api.url, seeded);
    expect(await stack.api.services.storeCache.whenReady()).toBe(true);
    const notified = async () =>
      metricValue(await stack.api.deps.metrics.metrics(), 'order_status_waits_total', {
        outcome: 'notified',
      });
    const before = await notified();
    const waiting = fetch(`${stack.api.url}/api/v1/orders/${order.orderId}?wait=25`, {
      headers: { authorization: `Bearer ${order.accessToken}` },
    });
    await eventually(() => stack.api.services.orderWaits.size === 1, { what: 'the read waiting' });

    await payInSandbox(inject('razorpayUrl'), order.razorpay.orderId, { status: 'captured' });

    const res = await waiting;
    const view = (await res.json()) as { status: string; download: { url: string } | null };
    expect(view.status).toBe('paid');
    expect(view.download).not.toBeNull();
    // Woken by the notice, not by the end of its 25 s.
    expect((await notified()) - before).toBe(1);
  });

  it('when Razorpay delivers the same events three times, then they are applied once', async () => {
    const seeded = await sellingCreator(stack);
    const order = await buy(stack.api.url, seeded);
    const paid = await payInSandbox(inject('razorpayUrl'), order.razorpay.orderId, {
      status: 'captured',
      deliver: { times: 3, shuffle: true },
    });
    expect(paid.deliveries.length).toBeGreaterThanOrEqual(3);

    const done = await deliveredOrder(stack.api.deps.mongo, order.orderId);
    expect(done.paymentId).toBe(paid.payment.id);
    const mongo = stack.api.deps.mongo;
    // Every copy reached the API; the inbox kept one event per event id.
    const eventIds = new Set(paid.deliveries.map((d) => d.eventId));
    await eventually(async () => {
      const events = await mongo
        .collection('webhook_events')
        .find({ _id: { $in: [...eventIds] as never[] } })
        .toArray();
      return events.length === eventIds.size && events.every((e) => e.status === 'processed');
    });
    expect(await deliveryModel(mongo).countDocuments({ orderId: order.orderId })).toBe(1);
    const log = await transactionModel(mongo).find({ orderId: order.orderId }).lean().exec();
    expect(log.filter((t) => t.outcome === 'paid')).toHaveLength(1);
  });
});
