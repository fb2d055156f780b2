import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutSignature } from '@storefront/devstack';
import {
  deliveryJobId,
  orderCheckJobId,
  orderModel,
  transactionModel,
  type Order,
} from '@storefront/shared';
import {
  dropWebhooksOf,
  payAndGetHandlerPayload,
  payWithCheckout,
  postPaymentCallback,
  sandboxDeliveries,
  sandboxRequests,
  type HandlerPayload,
} from '@storefront/test-support';
import {
  checkout,
  injectSandboxFault,
  startPaymentsApi,
  type CheckoutResponse,
  type PaymentsTestApi,
  type RazorpayKeys,
} from '@storefront/test-support';

// The buyer's Checkout callback against the real API and the Razorpay sandbox, without a worker:
// the creator's webhooks are dropped in the sandbox, so whatever happens to an order here is the
// callback's doing. Deliveries are checked as queued jobs (the worker's side is in
// apps/worker/test/checkout-callback.test.ts).

let t: PaymentsTestApi;
beforeAll(async () => {
  t = await startPaymentsApi({ RAZORPAY_TIMEOUT_MS: '600' });
});
afterAll(async () => {
  await t?.api.close();
});

/** A pending order on a creator's own Razorpay account whose webhooks never arrive. */
async function pendingOrder(on = t): Promise<CheckoutResponse & { keys: RazorpayKeys }> {
  const { creator, product, keys } = await on.createConnectedCreator();
  await dropWebhooksOf(on.razorpayUrl, [keys.keyId]);
  const res = await checkout(on.api.url, creator.username, product.id);
  expect(res.status).toBe(201);
  return { ...res.body, keys };
}

const pay = (order: CheckoutResponse & { keys: RazorpayKeys }, outcome?: 'authorized') =>
  payAndGetHandlerPayload(t.razorpayUrl, {
    orderId: order.razorpay.orderId,
    keyId: order.keys.keyId,
    ...(outcome ? { outcome } : {}),
  });
const callback = (
  order: CheckoutResponse,
  body: unknown,
  token: string = order.accessToken,
  on = t,
) => postPaymentCallback(on.api.url, order.orderId, token, body);
const findOrder = (id: string, on = t) =>
  orderModel(on.api.deps.mongo).findById(id).lean<Order>().exec();
const logOf = (id: string, on = t) =>
  transactionModel(on.api.deps.mongo)
    .find({ orderId: new Types.ObjectId(id) })
    .lean()
    .exec();
const deliveryJob = (orderId: string) =>
  t.api.services.producers.deliveries.getJob(deliveryJobId(orderId));
/** Razorpay API calls made with these keys for payments (`GET /v1/payments/:id`). */
const paymentFetches = async (keyId: string) =>
  (await sandboxRequests(t.razorpayUrl, keyId)).filter((r) => r.path.startsWith('/v1/payments/'))
    .length;
const callbacks = async (outcome: string, on = t) => {
  const m = on.api.deps.metrics.getSingleMetric('checkout_payment_callbacks_total');
  const values = m ? (await m.get()).values : [];
  return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
};

/** The order as it was right after checkout, for "nothing changed" checks. */
async function snapshot(order: CheckoutResponse, on = t) {
  return { order: await findOrder(order.orderId, on), log: await logOf(order.orderId, on) };
}

describe('POST /api/v1/orders/:id/payment', () => {
  it('when a captured payment is called back with webhooks lost, then the order is paid once and its delivery queued', async () => {
    const order = await pendingOrder();
    const payload = await pay(order);
    const paidBefore = await callbacks('paid');

    const res = await callback(order, payload);

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.body).toMatchObject({
      id: order.orderId,
      status: 'paid',
      amount: 49_900,
      paidAt: expect.any(String) as unknown,
      lastPaymentError: null,
      download: null,
    });
    // No webhook told the API anything: every one of them was dropped.
    const deliveries = await sandboxDeliveries(t.razorpayUrl, order.razorpay.orderId);
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.status === 'dropped')).toBe(true);

    const stored = await findOrder(order.orderId);
    expect(stored).toMatchObject({
      status: 'paid',
      paymentId: payload.razorpay_payment_id,
      delivery: { status: 'queued' },
    });
    const paid = (await logOf(order.orderId)).filter((e) => e.outcome === 'paid');
    expect(paid).toMatchObject([
      {
        source: 'checkout',
        event: 'checkout.callback',
        paymentId: payload.razorpay_payment_id,
        paymentStatus: 'captured',
      },
    ]);
    expect(await deliveryJob(order.orderId)).toBeDefined();
    expect(await callbacks('paid')).toBe(paidBefore + 1);
  });

  it('when the same callback comes again, then nothing changes twice and Razorpay is not asked again', async () => {
    const order = await pendingOrder();
    const payload = await pay(order);
    expect((await callback(order, payload)).status).toBe(200);
    const first = await snapshot(order);
    const fetches = await paymentFetches(order.keys.keyId);
    const alreadyBefore = await callbacks('already_paid');

    const again = await Promise.all([callback(order, payload), callback(order, payload)]);

    for (const res of again) {
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('paid');
    }
    expect(await snapshot(order)).toEqual(first);
    expect(await paymentFetches(order.keys.keyId)).toBe(fetches);
    expect(await callbacks('already_paid')).toBe(alreadyBefore + 2);
  });

  it('when the signature is wrong, then 400 INVALID_SIGNATURE and nothing is stored or fetched', async () => {
    const order = await pendingOrder();
    const payload = await pay(order);
    const before = await snapshot(order);
    const badBefore = await callbacks('bad_signature');
    const last = payload.razorpay_signature.at(-1) === '0' ? '1' : '0';
    const forged: HandlerPayload[] = [
      { ...payload, razorpay_signature: payload.razorpay_signature.slice(0, -1) + last },
      // Signed with another account's secret (the platform's, not the creator's).
      {
        ...payload,
        razorpay_signature: checkoutSignature(
          payload.razorpay_order_id,
          payload.razorpay_payment_id,
          t.platform.keySecret,
        ),
      },
      { ...payload, razorpay_signature: '0'.repeat(64) },
    ];
    for (const body of forged) {
      const res = await callback(order, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'INVALID_SIGNATURE', message: 'The payment signature is not valid' },
      });
    }

    expect(await snapshot(order)).toEqual(before);
    expect(await paymentFetches(order.keys.keyId)).toBe(0);
    expect(await callbacks('bad_signature')).toBe(badBefore + forged.length);
  });

  it('when the payload is for another order or its payment id is tampered with, then 400 and nothing changes', async () => {
    // Both orders on one creator's account: one key secret signs both payloads.
    const { creator, product, keys } = await t.createConnectedCreator();
    await dropWebhooksOf(t.razorpayUrl, [keys.keyId]);
    const a = (await checkout(t.api.url, creator.username, product.id)).body;
    const b = (await checkout(t.api.url, creator.username, product.id)).body;
    const payA = await payAndGetHandlerPayload(t.razorpayUrl, {
      orderId: a.razorpay.orderId,
      keyId: keys.keyId,
    });
    const payB = await payAndGetHandlerPayload(t.razorpayUrl, {
      orderId: b.razorpay.orderId,
      keyId: keys.keyId,
    });
    const beforeA = await snapshot(a);
    const beforeB = await snapshot(b);

    // B's genuine payload on A's order: the gateway order is not A's.
    const other = await callback(a, payB);
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ code: 'ORDER_MISMATCH' });
    // A's payload with B's payment id: the signature no longer matches.
    const tampered = await callback(a, { ...payA, razorpay_payment_id: payB.razorpay_payment_id });
    expect(tampered.status).toBe(400);
    expect(tampered.body.error).toMatchObject({ code: 'INVALID_SIGNATURE' });
    // Even a valid signature over A's order and B's payment (only the key holder could make it)
    // does not pay A: Razorpay says the payment belongs to B.
    const signedMix = await callback(a, {
      razorpay_order_id: a.razorpay.orderId,
      razorpay_payment_id: payB.razorpay_payment_id,
      razorpay_signature: checkoutSignature(
        a.razorpay.orderId,
        payB.razorpay_payment_id,
        keys.keySecret,
      ),
    });
    expect(signedMix.status).toBe(400);
    expect(signedMix.body.error).toMatchObject({ code: 'ORDER_MISMATCH' });

    expect(await snapshot(a)).toEqual(beforeA);
    expect(await snapshot(b)).toEqual(beforeB);
  });

  it('when the payment is only authorized, then 200 with the order still pending and never paid', async () => {
    const order = await pendingOrder();
    const payload = await pay(order, 'authorized');

    const first = await callback(order, payload);
    const second = await callback(order, payload);

    for (const res of [first, second]) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'pending', paidAt: null });
    }
    const stored = await findOrder(order.orderId);
    expect(stored?.status).toBe('pending');
    expect(stored?.paymentId).toBeUndefined();
    const log = await logOf(order.orderId);
    expect(log.filter((e) => e.outcome === 'paid')).toHaveLength(0);
    expect(log.filter((e) => e.outcome === 'authorized')).toMatchObject([
      { source: 'checkout', paymentId: payload.razorpay_payment_id, paymentStatus: 'authorized' },
    ]);
    expect(await deliveryJob(order.orderId)).toBeUndefined();
  });

  it('when an attempt failed, then its error is recorded once, and a captured retry on the same order pays it', async () => {
    const order = await pendingOrder();
    const failed = await payWithCheckout(t.razorpayUrl, {
      orderId: order.razorpay.orderId,
      keyId: order.keys.keyId,
      outcome: 'failed',
    });
    if (!('error' in failed)) throw new Error('expected a failed attempt');
    const failedPaymentId = failed.error.metadata.payment_id;
    // Razorpay's handler is not called for a failed attempt; a client that posts it anyway
    // (signed with the right secret) only gets the failure recorded.
    const failedPayload = {
      razorpay_order_id: order.razorpay.orderId,
      razorpay_payment_id: failedPaymentId,
      razorpay_signature: checkoutSignature(
        order.razorpay.orderId,
        failedPaymentId,
        order.keys.keySecret,
      ),
    };

    for (let i = 0; i < 2; i += 1) {
      const res = await callback(order, failedPayload);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'pending',
        lastPaymentError: { code: failed.error.code, description: failed.error.description },
      });
    }
    const failures = (await logOf(order.orderId)).filter((e) => e.outcome === 'payment_failed');
    expect(failures).toMatchObject([{ source: 'checkout', paymentId: failedPaymentId }]);

    const retry = await pay(order);
    const res = await callback(order, retry);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('paid');
    expect((await findOrder(order.orderId))?.paymentId).toBe(retry.razorpay_payment_id);
  });

  it('when the token is wrong or missing, or the order unknown, then the same 404 and nothing changes', async () => {
    const order = await pendingOrder();
    const other = await pendingOrder();
    const payload = await pay(order);
    const before = await snapshot(order);
    const notFound = { error: { code: 'NOT_FOUND', message: 'Order not found' } };

    const attempts = [
      postPaymentCallback(t.api.url, order.orderId, other.accessToken, payload),
      postPaymentCallback(t.api.url, order.orderId, order.accessToken.slice(0, -1) + 'x', payload),
      postPaymentCallback(t.api.url, order.orderId, undefined, payload),
      postPaymentCallback(t.api.url, String(new Types.ObjectId()), order.accessToken, payload),
      postPaymentCallback(t.api.url, 'not-an-id', order.accessToken, payload),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(notFound);
    }
    expect(await snapshot(order)).toEqual(before);
    expect(await paymentFetches(order.keys.keyId)).toBe(0);

    // The token in the query string works too, as for GET.
    const res = await fetch(
      `${t.api.url}/api/v1/orders/${order.orderId}/payment?token=${order.accessToken}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      },
    );
    expect(res.status).toBe(200);
  });

  it('when Razorpay fails or is too slow, then 502 or 504, the order is unchanged, and a later call pays it', async () => {
    const order = await pendingOrder();
    const payload = await pay(order);
    const before = (await snapshot(order)).order;
    const errorsBefore = await callbacks('gateway_error');
    await injectSandboxFault(t.razorpayUrl, {
      status: 500,
      keyIds: [order.keys.keyId],
      paths: ['/v1/payments'],
    });
    const failed = await callback(order, payload);
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({
      code: 'BAD_GATEWAY',
      message: expect.stringMatching(/Razorpay/) as unknown,
      details: { gateway: { statusCode: 500 } },
    });

    await injectSandboxFault(t.razorpayUrl, {
      latencyMs: 2_000,
      keyIds: [order.keys.keyId],
      paths: ['/v1/payments'],
    });
    const started = Date.now();
    const slow = await callback(order, payload);
    expect(slow.status).toBe(504);
    expect(slow.body.error).toMatchObject({ code: 'GATEWAY_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1_900);

    expect(await findOrder(order.orderId)).toEqual(before);
    const log = await logOf(order.orderId);
    expect(log.filter((e) => e.outcome === 'gateway_error')).toHaveLength(2);
    expect(log.filter((e) => e.outcome === 'paid')).toHaveLength(0);
    expect(await callbacks('gateway_error')).toBe(errorsBefore + 2);

    // The buyer's page (or a webhook, or reconciliation) tries again once Razorpay is back.
    const later = await callback(order, payload);
    expect(later.status).toBe(200);
    expect(later.body.status).toBe('paid');
  });

  it('when the body is not a handler payload, then 400 and nothing changes', async () => {
    const order = await pendingOrder();
    const payload = await pay(order);
    const before = await snapshot(order);
    const bodies: unknown[] = [
      {},
      { razorpay_payment_id: payload.razorpay_payment_id },
      { ...payload, razorpay_payment_id: 'order_0123456789abcd' },
      { ...payload, razorpay_order_id: 'pay_0123456789abcd' },
      // One character short. Its digits become letters: a 63-character hex string is not exempt
      // from the card-data guard, and about 1 in 500 holds a Luhn-valid digit run by chance,
      // which the guard refuses first (CARD_DATA_REJECTED, also 400).
      { ...payload, razorpay_signature: payload.razorpay_signature.slice(1).replace(/\d/g, 'a') },
      { ...payload, razorpay_signature: 'g'.repeat(64) },
      { ...payload, razorpay_payment_id: 42 },
      { ...payload, status: 'captured' },
      [payload],
    ];
    for (const body of bodies) {
      const res = await callback(order, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body.error as { code: string }).code).toBe('VALIDATION_ERROR');
    }
    const malformed = await callback(order, '{"razorpay_payment_id":');
    expect(malformed.status).toBe(400);
    // Card data is refused by the global guard before the route sees it.
    const card = await callback(order, { ...payload, card: { number: '4111111111111111' } });
    expect(card.status).toBe(400);
    expect((card.body.error as { code: string }).code).toBe('CARD_DATA_REJECTED');
    const cardText = await callback(order, { ...payload, razorpay_payment_id: '4111111111111111' });
    expect((cardText.body.error as { code: string }).code).toBe('CARD_DATA_REJECTED');
    // A well-formed payload of a gateway order that is not this order's.
    const elsewhere = await callback(order, {
      ...payload,
      razorpay_order_id: 'order_0123456789abcd',
    });
    expect(elsewhere.status).toBe(400);
    expect((elsewhere.body.error as { code: string }).code).toBe('ORDER_MISMATCH');

    expect(await snapshot(order)).toEqual(before);
    expect(await paymentFetches(order.keys.keyId)).toBe(0);
  });
});

// A busy API hands the callback's check to the worker (CHECKOUT_CALLBACK_DEFER, `busy` by
// default; `always` here, so the test does not depend on how busy the machine is). The worker's
// side of the check is in apps/worker/test/checkout-callback.test.ts.
describe('POST /api/v1/orders/:id/payment, deferred to the worker', () => {
  let d: PaymentsTestApi;
  beforeAll(async () => {
    d = await startPaymentsApi({
      CHECKOUT_CALLBACK_DEFER: 'always',
      CHECKOUT_CALLBACK_CHECK_DELAY_MS: '60000',
    });
  });
  afterAll(async () => {
    await d?.api.close();
  });
  const checkJob = (orderId: string, paymentId: string) =>
    d.api.services.producers.orderChecks.getJob(orderCheckJobId(orderId, paymentId));

  it('when a captured payment is called back, then the order is left as it is, Razorpay is not asked, and one delayed check is scheduled however often it comes', async () => {
    const order = await pendingOrder(d);
    const payload = await pay(order);
    const before = await snapshot(order, d);
    const deferredBefore = await callbacks('deferred', d);

    const answers = [await callback(order, payload, order.accessToken, d)];
    answers.push(...(await Promise.all([1, 2].map(() => callback(order, payload, undefined, d)))));

    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: order.orderId, status: 'pending', paidAt: null });
    }
    expect(await snapshot(order, d)).toEqual(before);
    expect(await paymentFetches(order.keys.keyId)).toBe(0);
    expect(await callbacks('deferred', d)).toBe(deferredBefore + 3);
    const job = await checkJob(order.orderId, payload.razorpay_payment_id);
    expect(job?.data).toEqual({ orderId: order.orderId, paymentId: payload.razorpay_payment_id });
    expect(job?.opts.delay).toBe(60_000);
    expect(await job?.getState()).toBe('delayed');
    expect(await d.api.services.producers.orderChecks.getDelayedCount()).toBe(1);
  });

  it('when the signature is wrong, then 400 and no check is scheduled', async () => {
    const order = await pendingOrder(d);
    const payload = await pay(order);
    const res = await callback(
      order,
      { ...payload, razorpay_signature: '0'.repeat(64) },
      order.accessToken,
      d,
    );
    expect(res.status).toBe(400);
    expect(await checkJob(order.orderId, payload.razorpay_payment_id)).toBeUndefined();
  });

  // Last in this block: it cuts the API's queue connection.
  it('when the check cannot be scheduled, then the callback checks Razorpay itself and pays the order', async () => {
    const order = await pendingOrder(d);
    const payload = await pay(order);
    const paidBefore = await callbacks('paid', d);
    d.api.services.producerRedis.disconnect();

    const res = await callback(order, payload, order.accessToken, d);

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('paid');
    expect(await paymentFetches(order.keys.keyId)).toBe(1);
    expect((await findOrder(order.orderId, d))?.paymentId).toBe(payload.razorpay_payment_id);
    expect(await callbacks('paid', d)).toBe(paidBefore + 1);
  });
});
