import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  deliveryModel,
  orderCheckJobId,
  orderModel,
  transactionModel,
  webhookEventModel,
} from '@storefront/shared';
import {
  dropWebhooksOf,
  payAndGetHandlerPayload,
  postPaymentCallback,
  sandboxDeliveries,
  sandboxRequests,
} from '@storefront/test-support';
import {
  buy,
  eventually,
  injectSandboxFault,
  getOrderStatus,
  metricValue,
  scrape,
  sellingCreator,
  startStack,
  type Stack,
} from '@storefront/test-support';
import { createRazorpayGate, RUNS_GATE_KEY } from '../src/reconciliation/razorpay-gate.ts';
import { deliveredOrder } from './helpers/fixtures.ts';

// The buyer's Checkout callback as the third path to `paid`, end to end over a real API and
// worker: alone (every webhook lost) it gets the order paid and delivered; racing the webhooks
// it changes nothing twice.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const razorpayUrl = () => inject('razorpayUrl');
const paidEntries = async (orderId: string) =>
  (await transactionModel(stack.api.deps.mongo).find({ orderId, outcome: 'paid' }).lean().exec())
    .length;
const deliveries = (orderId: string) =>
  deliveryModel(stack.api.deps.mongo).countDocuments({ orderId }).exec();
const delivered = (orderId: string) => deliveredOrder(stack.api.deps.mongo, orderId);

describe('checkout callback with a worker', () => {
  it('when every webhook is lost, then the callback alone gets the order paid and delivered once', async () => {
    const file = Buffer.from('%PDF-1.4 paid by the callback\n');
    const seeded = await sellingCreator(stack, { uploadFile: file });
    await dropWebhooksOf(razorpayUrl(), [seeded.keys.keyId]);
    const order = await buy(stack.api.url, seeded);
    const before = await scrape(stack.worker.url);

    const payload = await payAndGetHandlerPayload(razorpayUrl(), {
      orderId: order.razorpay.orderId,
      keyId: seeded.keys.keyId,
    });
    const res = await postPaymentCallback(stack.api.url, order.orderId, order.accessToken, payload);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('paid');

    const done = await delivered(order.orderId);
    expect(done.paymentId).toBe(payload.razorpay_payment_id);
    const sent = await sandboxDeliveries(razorpayUrl(), order.razorpay.orderId);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((d) => d.status === 'dropped')).toBe(true);

    const view = await getOrderStatus(stack.api.url, order.orderId, order.accessToken);
    const download = await fetch((view.body.download as { url: string }).url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(file);

    // A late repeat of the callback changes nothing.
    expect(
      (await postPaymentCallback(stack.api.url, order.orderId, order.accessToken, payload)).status,
    ).toBe(200);
    expect(await paidEntries(order.orderId)).toBe(1);
    expect(await deliveries(order.orderId)).toBe(1);
    const after = await scrape(stack.worker.url);
    expect(metricValue(after, 'deliveries_total') - metricValue(before, 'deliveries_total')).toBe(
      1,
    );
  });

  it('when the callback races the webhooks, then the order has one paid entry and one delivery', async () => {
    const seeded = await sellingCreator(stack, { uploadFile: Buffer.from('%PDF-1.4 race\n') });
    // Several orders at once, each with two callbacks fired while its webhooks are on the way.
    const orders = await Promise.all([1, 2, 3].map(() => buy(stack.api.url, seeded)));
    await Promise.all(
      orders.map(async (order) => {
        const payload = await payAndGetHandlerPayload(razorpayUrl(), {
          orderId: order.razorpay.orderId,
          keyId: seeded.keys.keyId,
        });
        const answers = await Promise.all([
          postPaymentCallback(stack.api.url, order.orderId, order.accessToken, payload),
          postPaymentCallback(stack.api.url, order.orderId, order.accessToken, payload),
        ]);
        for (const res of answers) {
          expect(res.status).toBe(200);
          expect(res.body.status).toBe('paid');
        }
      }),
    );

    for (const order of orders) {
      await delivered(order.orderId);
      // Wait for every webhook of the order to have been received and processed by the worker.
      const eventIds = await eventually(
        async () => {
          const sent = await sandboxDeliveries(razorpayUrl(), order.razorpay.orderId);
          const done = sent.length >= 3 && sent.every((d) => d.status === 'delivered');
          return done ? sent.map((d) => d.eventId) : null;
        },
        { what: 'webhooks delivered' },
      );
      await eventually(
        async () => {
          const events = await webhookEventModel(stack.api.deps.mongo)
            .find({ _id: { $in: eventIds } })
            .lean()
            .exec();
          return events.length === eventIds.length && events.every((e) => e.status === 'processed');
        },
        { what: 'webhooks processed' },
      );
      expect(await paidEntries(order.orderId)).toBe(1);
      expect(await deliveries(order.orderId)).toBe(1);
    }
  });
});

// A busy API defers the callback's check (CHECKOUT_CALLBACK_DEFER; `always` here): the worker's
// `order-checks` job asks Razorpay unless a webhook settled the order first.
describe('checkout callback deferred to the worker', () => {
  let deferring: Stack;
  beforeAll(async () => {
    deferring = await startStack({
      CHECKOUT_CALLBACK_DEFER: 'always',
      CHECKOUT_CALLBACK_CHECK_DELAY_MS: '200',
      // A failed Razorpay call ends a check's attempt at once, after a short shared pause.
      RECONCILE_MAX_RETRIES: '0',
      RAZORPAY_BACKOFF_BASE_MS: '50',
    });
  });
  afterAll(async () => {
    await deferring?.close();
  });
  const checks = () => deferring.worker.deps.producers.orderChecks;

  /** The finished check's return value (the job is kept after it completes). */
  const finishedCheck = (orderId: string, paymentId: string) =>
    eventually(
      async () => {
        const job = await checks().getJob(orderCheckJobId(orderId, paymentId));
        return job && (await job.getState()) === 'completed' ? (job.returnvalue as unknown) : null;
      },
      { what: 'order check completed' },
    );
  /** Razorpay calls listing an order's payments (`GET /v1/orders/:id/payments`). */
  const paymentListings = async (keyId: string) =>
    (await sandboxRequests(razorpayUrl(), keyId)).filter((r) =>
      /^\/v1\/orders\/[^/]+\/payments/.test(r.path),
    ).length;

  type Seeded = Awaited<ReturnType<typeof sellingCreator>>;
  type Bought = Awaited<ReturnType<typeof buy>>;
  /** The buyer pays in Standard Checkout: the handler payload. */
  const pay = (seeded: Seeded, order: Bought) =>
    payAndGetHandlerPayload(razorpayUrl(), {
      orderId: order.razorpay.orderId,
      keyId: seeded.keys.keyId,
    });
  /** The page posts the handler payload to the deferring API. */
  const callBack = (order: Bought, payload: Awaited<ReturnType<typeof pay>>) =>
    postPaymentCallback(deferring.api.url, order.orderId, order.accessToken, payload);

  it('when every webhook is lost, then the scheduled check gets the order paid and delivered once', async () => {
    const seeded = await sellingCreator(deferring, { uploadFile: Buffer.from('%PDF-1.4 check\n') });
    await dropWebhooksOf(razorpayUrl(), [seeded.keys.keyId]);
    const order = await buy(deferring.api.url, seeded);
    const payload = await pay(seeded, order);

    const res = await callBack(order, payload);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('pending');

    const done = await deliveredOrder(deferring.api.deps.mongo, order.orderId);
    expect(done.paymentId).toBe(payload.razorpay_payment_id);
    expect(await finishedCheck(order.orderId, payload.razorpay_payment_id)).toEqual({
      outcome: 'marked_paid',
    });
    expect(await paymentListings(seeded.keys.keyId)).toBe(1);
    const paid = await transactionModel(deferring.api.deps.mongo)
      .find({ orderId: order.orderId, outcome: 'paid' })
      .lean()
      .exec();
    expect(paid).toMatchObject([{ source: 'reconciliation' }]);
    expect(
      await deliveryModel(deferring.api.deps.mongo).countDocuments({ orderId: order.orderId }),
    ).toBe(1);
  });

  it('when the webhooks settle the order first, then the check asks Razorpay nothing', async () => {
    const seeded = await sellingCreator(deferring, { uploadFile: Buffer.from('%PDF-1.4 hooks\n') });
    const order = await buy(deferring.api.url, seeded);
    const payload = await pay(seeded, order);
    // Paid and delivered by the webhooks before the callback comes.
    await deliveredOrder(deferring.api.deps.mongo, order.orderId);

    const res = await callBack(order, payload);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('paid');
    // The order was paid with this payment: nothing to defer or check.
    expect(
      await checks().getJob(orderCheckJobId(order.orderId, payload.razorpay_payment_id)),
    ).toBeUndefined();
  });

  it('when a webhook settles the order after the callback, then the check finds it settled and asks Razorpay nothing', async () => {
    const seeded = await sellingCreator(deferring, { uploadFile: Buffer.from('%PDF-1.4 late\n') });
    const order = await buy(deferring.api.url, seeded);
    const { webhooks } = deferring.worker.deps.producers;
    // The webhooks are stored and queued but wait until the callback has been answered; the
    // check waits until they have been applied.
    await Promise.all([webhooks.pause(), checks().pause()]);
    try {
      const payload = await pay(seeded, order);
      const res = await callBack(order, payload);
      expect(res.body.status).toBe('pending');
      await webhooks.resume();
      await deliveredOrder(deferring.api.deps.mongo, order.orderId);
      await checks().resume();

      expect(await finishedCheck(order.orderId, payload.razorpay_payment_id)).toEqual({
        outcome: 'settled',
        status: 'paid',
      });
      expect(await paymentListings(seeded.keys.keyId)).toBe(0);
    } finally {
      await Promise.all([webhooks.resume(), checks().resume()]);
    }
  });

  it('when Razorpay fails the check, then the job is retried and the retry gets the order paid', async () => {
    const seeded = await sellingCreator(deferring, { uploadFile: Buffer.from('%PDF-1.4 retry\n') });
    await dropWebhooksOf(razorpayUrl(), [seeded.keys.keyId]);
    const order = await buy(deferring.api.url, seeded);
    const payload = await pay(seeded, order);
    // The check's one call (`GET /v1/orders/:id/payments`) answers 500 once.
    await injectSandboxFault(razorpayUrl(), {
      status: 500,
      count: 1,
      keyIds: [seeded.keys.keyId],
      paths: ['/v1/orders/'],
    });

    expect((await callBack(order, payload)).body.status).toBe('pending');

    const retrying = await eventually(
      async () => {
        const job = await checks().getJob(
          orderCheckJobId(order.orderId, payload.razorpay_payment_id),
        );
        return job && job.attemptsMade === 1 && (await job.getState()) === 'delayed' ? job : null;
      },
      { what: 'the first attempt failed and a retry is scheduled' },
    );
    expect(retrying.failedReason).toMatch(/could not be asked/);
    expect(
      (await orderModel(deferring.api.deps.mongo).findById(order.orderId).lean().exec())?.status,
    ).toBe('pending');
    // Its backoff (5 s) is not what is under test: run the retry now.
    await retrying.promote();

    const done = await deliveredOrder(deferring.api.deps.mongo, order.orderId);
    expect(done.paymentId).toBe(payload.razorpay_payment_id);
    expect(await finishedCheck(order.orderId, payload.razorpay_payment_id)).toEqual({
      outcome: 'marked_paid',
    });
  });

  it('when the reconciliation runs are paused by a Razorpay failure, then a deferred check still gets through on its own gate', async () => {
    const seeded = await sellingCreator(deferring, { uploadFile: Buffer.from('%PDF-1.4 lane\n') });
    await dropWebhooksOf(razorpayUrl(), [seeded.keys.keyId]);
    const order = await buy(deferring.api.url, seeded);
    const payload = await pay(seeded, order);
    // The runs' gate, as a 429 with Retry-After: 60 leaves it, in every worker.
    const runsGate = createRazorpayGate(deferring.worker.deps.redis, {
      maxCallsPerSecond: 10,
      backoffBaseMs: 50,
      backoffMaxMs: 60_000,
    });
    expect((await runsGate.failed(60)).pauseMs).toBeGreaterThan(50_000);
    try {
      expect((await callBack(order, payload)).body.status).toBe('pending');

      const done = await deliveredOrder(deferring.api.deps.mongo, order.orderId);
      expect(done.paymentId).toBe(payload.razorpay_payment_id);
      expect(await finishedCheck(order.orderId, payload.razorpay_payment_id)).toEqual({
        outcome: 'marked_paid',
      });
    } finally {
      await runsGate.succeeded();
      await deferring.worker.deps.redis.del(RUNS_GATE_KEY);
    }
  });
});
