import { createRazorpayClient, RazorpayError } from '@storefront/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRazorpaySandbox, type RazorpaySandbox } from '../../src/razorpay/index.ts';

const alice = { keyId: 'rzp_test_alice000001', keySecret: 'alice-secret' };
const bob = { keyId: 'rzp_test_bob00000001', keySecret: 'bob-secret' };

let sandbox: RazorpaySandbox;
const clientFor = (keys: { keyId: string; keySecret: string }) =>
  createRazorpayClient({ ...keys, baseUrl: sandbox.url, timeoutMs: 2_000 });

async function rejection(promise: Promise<unknown>): Promise<RazorpayError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RazorpayError);
  return err as RazorpayError;
}

beforeAll(async () => {
  sandbox = await startRazorpaySandbox({ accounts: [alice, bob] });
});
afterAll(async () => {
  await sandbox.stop();
});

describe('Razorpay sandbox orders API (through the SDK)', () => {
  it('when an order is created, then it comes back as Razorpay serialises it and can be fetched', async () => {
    const client = clientFor(alice);
    const before = Math.floor(Date.now() / 1000);
    const order = await client.orders.create({
      amount: 49_900,
      currency: 'INR',
      receipt: 'rcpt-1',
      notes: { productId: 'p1' },
    });
    expect(order).toEqual({
      id: expect.stringMatching(/^order_[A-Za-z0-9]{14}$/) as unknown,
      entity: 'order',
      amount: 49_900,
      amount_paid: 0,
      amount_due: 49_900,
      currency: 'INR',
      receipt: 'rcpt-1',
      offer_id: null,
      status: 'created',
      attempts: 0,
      notes: { productId: 'p1' },
      created_at: expect.any(Number) as unknown,
    });
    expect(order.created_at).toBeGreaterThanOrEqual(before);
    expect(await client.orders.fetch(order.id)).toEqual(order);
  });

  it('when an order has no notes or receipt, then notes is [] and receipt null, like Razorpay', async () => {
    const order = await clientFor(alice).orders.create({ amount: 100, currency: 'INR' });
    expect(order.notes).toEqual([]);
    expect(order.receipt).toBeNull();
  });

  it('when payments were attempted, then the order lists all of them, failed ones included', async () => {
    const client = clientFor(alice);
    const order = await client.orders.create({ amount: 1_000, currency: 'INR' });
    expect(await client.orders.fetchPayments(order.id)).toEqual({
      entity: 'collection',
      count: 0,
      items: [],
    });
    const failed = await sandbox.pay(order.id, { status: 'failed', method: 'upi' });
    const paid = await sandbox.pay(order.id, { status: 'captured' });

    const list = await client.orders.fetchPayments(order.id);
    expect(list.count).toBe(2);
    expect(list.items.map((p) => [p.id, p.status])).toEqual([
      [failed.payment.id, 'failed'],
      [paid.payment.id, 'captured'],
    ]);
    const refreshed = await client.orders.fetch(order.id);
    expect(refreshed).toMatchObject({
      status: 'paid',
      amount_paid: 1_000,
      amount_due: 0,
      attempts: 2,
    });

    const payment = await client.payments.fetch(paid.payment.id);
    expect(payment).toMatchObject({
      id: expect.stringMatching(/^pay_[A-Za-z0-9]{14}$/) as unknown,
      entity: 'payment',
      amount: 1_000,
      currency: 'INR',
      status: 'captured',
      captured: true,
      order_id: order.id,
      method: 'card',
      error_code: null,
    });
    expect(payment.fee).toBeGreaterThan(0);
    // Like the real API, the card object is only there when expanded; never a card number.
    expect(payment).not.toHaveProperty('card');
    const card = sandbox.getPayment(paid.payment.id)?.card;
    expect(card).toMatchObject({ entity: 'card', last4: '1111', network: 'Visa' });
    expect(Object.keys(card ?? {})).not.toContain('number');
    expect(list.items[0]).toMatchObject({
      error_code: 'BAD_REQUEST_ERROR',
      error_source: 'bank',
      error_step: 'payment_authorization',
      error_reason: 'payment_failed',
    });
  });

  it('when another account asks for an order or payment, then it is told the id does not exist', async () => {
    const order = await clientFor(alice).orders.create({ amount: 500, currency: 'INR' });
    const { payment } = await sandbox.pay(order.id, { status: 'authorized' });
    for (const call of [
      clientFor(bob).orders.fetch(order.id),
      clientFor(bob).orders.fetchPayments(order.id),
      clientFor(bob).payments.fetch(payment.id),
    ]) {
      const err = await rejection(call);
      expect(err).toMatchObject({
        kind: 'http',
        statusCode: 400,
        code: 'BAD_REQUEST_ERROR',
        description: 'The id provided does not exist',
        retryable: false,
      });
    }
    const malformed = await rejection(clientFor(alice).orders.fetch('order_short'));
    expect(malformed.description).toBe('order_short is not a valid id');
  });

  it('when the keys are missing, unknown or wrong, then the API answers 401 in Razorpay shape', async () => {
    const wrongSecret = await rejection(
      clientFor({ keyId: alice.keyId, keySecret: 'nope' }).orders.create({
        amount: 100,
        currency: 'INR',
      }),
    );
    expect(wrongSecret).toMatchObject({ kind: 'http', statusCode: 401, retryable: false });
    const unknownKey = await rejection(
      clientFor({ keyId: 'rzp_test_nobody', keySecret: 'x' }).orders.fetch('order_00000000000000'),
    );
    expect(unknownKey.statusCode).toBe(401);

    const res = await fetch(`${sandbox.url}/v1/orders/order_00000000000000`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        code: 'BAD_REQUEST_ERROR',
        description: 'Please provide your api key for authentication purposes.',
        source: 'NA',
        step: 'NA',
        reason: 'NA',
        metadata: {},
      },
    });
  });

  it.each([
    [{ amount: 99, currency: 'INR' }, 'amount'],
    [{ amount: 100.5, currency: 'INR' }, 'amount'],
    [{ currency: 'INR' }, 'amount'],
    [{ amount: 100, currency: 'inr' }, 'currency'],
    [{ amount: 100, currency: 'INR', receipt: 'r'.repeat(41) }, 'receipt'],
    [
      {
        amount: 100,
        currency: 'INR',
        notes: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'])),
      },
      'notes',
    ],
  ])('when the order body is %j, then it is rejected naming the field %s', async (body, field) => {
    const err = await rejection(clientFor(alice).orders.create(body as never));
    expect(err).toMatchObject({
      kind: 'http',
      statusCode: 400,
      code: 'BAD_REQUEST_ERROR',
      field,
      reason: 'input_validation_failed',
      retryable: false,
    });
  });

  it('when a body has fields Razorpay does not take, then it is rejected and nothing is created', async () => {
    const res = await fetch(`${sandbox.url}/v1/orders`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${alice.keyId}:${alice.keySecret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ amount: 100, currency: 'INR', card_number: '4111111111111111' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({
      code: 'BAD_REQUEST_ERROR',
      description: 'card_number is/are not required and should not be sent',
      metadata: {},
    });
  });

  it('when calls are made, then the request log has each with status, key id and a precise time', async () => {
    const client = clientFor(bob);
    const since = performance.timeOrigin + performance.now();
    const order = await client.orders.create({ amount: 100, currency: 'INR' });
    await client.orders.fetch(order.id);
    await rejection(clientFor({ ...bob, keySecret: 'bad' }).orders.fetch(order.id));

    const log = sandbox.requests({ keyId: bob.keyId, since });
    expect(log.map(({ method, path, status }) => [method, path, status])).toEqual([
      ['POST', '/v1/orders', 200],
      ['GET', `/v1/orders/${order.id}`, 200],
      ['GET', `/v1/orders/${order.id}`, 401],
    ]);
    const times = log.map((entry) => entry.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.some((t) => !Number.isInteger(t))).toBe(true);
  });
});
