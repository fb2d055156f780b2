import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creatorModel, orderModel, transactionModel, type Order } from '@storefront/shared';
import {
  checkout,
  createCreatorWithProduct,
  injectSandboxFault,
  sandboxRequests,
  type PaymentsTestApi,
  startPaymentsApi,
} from '@storefront/test-support';

let t: PaymentsTestApi;
beforeAll(async () => {
  t = await startPaymentsApi({ RAZORPAY_TIMEOUT_MS: '600' });
});
afterAll(async () => {
  await t?.api.close();
});

const orders = () => orderModel(t.api.deps.mongo);
const ordersOf = (creatorId: string) =>
  orders()
    .find({ creatorId: new Types.ObjectId(creatorId) })
    .lean<Order[]>();
const sandboxOrder = async (id: string) =>
  (await (await fetch(`${t.razorpayUrl}/_sandbox/orders/${id}`)).json()) as Record<string, unknown>;

describe('POST /api/v1/store/:username/products/:productId/checkout', () => {
  it('when a buyer checks out an active product, then our order is pending with a Razorpay order', async () => {
    const { creator, product } = await createCreatorWithProduct(t.api.deps.mongo, {
      displayName: 'Asha Sings',
      title: 'Vocal warmups',
      price: 49_900,
    });
    const res = await checkout(t.api.url, creator.username, product.id, {
      email: 'buyer@example.test',
      contact: '+919876543210',
    });

    expect(res.status).toBe(201);
    const body = res.body;
    expect(body.razorpay).toMatchObject({
      keyId: t.platform.keyId,
      amount: 49_900,
      currency: 'INR',
      name: 'Asha Sings',
      description: 'Vocal warmups',
      prefill: { email: 'buyer@example.test', contact: '+919876543210' },
    });
    expect(body.razorpay.orderId).toMatch(/^order_/);
    expect(body.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.statusUrl).toMatch(new RegExp(`/api/v1/orders/${body.orderId}$`));

    const order = await orders().findById(body.orderId).lean<Order>();
    expect(order).toMatchObject({
      status: 'pending',
      amount: 49_900,
      currency: 'INR',
      productTitle: 'Vocal warmups',
      gatewayAccount: 'platform',
      gatewayOrderId: body.razorpay.orderId,
      buyer: { email: 'buyer@example.test', contact: '+919876543210' },
    });
    // Only the hash of the token is stored.
    expect(order?.accessTokenHash).toBe(
      createHash('sha256').update(body.accessToken).digest('hex'),
    );
    expect(JSON.stringify(order)).not.toContain(body.accessToken);

    const gateway = await sandboxOrder(body.razorpay.orderId);
    expect(gateway).toMatchObject({
      amount: 49_900,
      currency: 'INR',
      receipt: body.orderId,
      status: 'created',
      notes: { orderId: body.orderId, creatorId: creator.id, productId: product.id },
    });
    const log = await transactionModel(t.api.deps.mongo).find({ orderId: order?._id }).lean();
    expect(log).toMatchObject([
      {
        source: 'checkout',
        outcome: 'gateway_order_created',
        gatewayOrderId: body.razorpay.orderId,
      },
    ]);
  });

  it('when the creator connected their own Razorpay account, then the order is created on it', async () => {
    const { creator, product, keys } = await t.createConnectedCreator();
    const res = await checkout(t.api.url, creator.username, product.id);

    expect(res.status).toBe(201);
    expect(res.body.razorpay.keyId).toBe(keys.keyId);
    const order = await orders().findById(res.body.orderId).lean<Order>();
    expect(order?.gatewayAccount).toBe(creator.id);
    expect(await sandboxRequests(t.razorpayUrl, keys.keyId)).toHaveLength(1);
  });

  it('when the username is given in capitals, then it still finds the store', async () => {
    const { creator, product } = await createCreatorWithProduct(t.api.deps.mongo);
    const res = await checkout(t.api.url, creator.username.toUpperCase(), product.id);
    expect(res.status).toBe(201);
  });

  it('when the body is invalid, then 400 and nothing is stored or sent to Razorpay', async () => {
    const { creator, product, keys } = await t.createConnectedCreator();
    const bodies: unknown[] = [
      {},
      { email: 'not-an-email' },
      { email: 'buyer@example.test', contact: 'call me' },
      { email: 'buyer@example.test', amount: 1 },
      { email: 'buyer@example.test', card_number: '4111111111111111', cvv: '123' },
      { email: 'buyer@example.test', notes: '4111 1111 1111 1111' },
      [{ email: 'buyer@example.test' }],
    ];
    for (const body of bodies) {
      const res = await checkout(t.api.url, creator.username, product.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error?.code).toMatch(/VALIDATION_ERROR|CARD_DATA_REJECTED|INVALID_INPUT/);
    }
    const malformed = await fetch(
      `${t.api.url}/api/v1/store/${creator.username}/products/${product.id}/checkout`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' },
    );
    expect(malformed.status).toBe(400);
    expect(await ordersOf(creator.id)).toHaveLength(0);
    expect(await sandboxRequests(t.razorpayUrl, keys.keyId)).toHaveLength(0);
  });

  it('when card fields are sent, then they are rejected as card data', async () => {
    const { creator, product } = await createCreatorWithProduct(t.api.deps.mongo);
    const res = await checkout(t.api.url, creator.username, product.id, {
      email: 'buyer@example.test',
      card: { number: '4111111111111111', cvv: '123', expiry: '12/30' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('CARD_DATA_REJECTED');
    expect(await ordersOf(creator.id)).toHaveLength(0);
  });

  it('when the product is unknown, a draft, deleted, or another creator’s, then 404 and no order', async () => {
    const { creator, product } = await createCreatorWithProduct(t.api.deps.mongo);
    const draft = await createCreatorWithProduct(t.api.deps.mongo, { status: 'draft' });
    const other = await createCreatorWithProduct(t.api.deps.mongo);
    const cases: Array<[string, string]> = [
      [creator.username, String(new Types.ObjectId())],
      [creator.username, 'not-an-id'],
      [draft.creator.username, draft.product.id],
      [creator.username, other.product.id],
      ['nobody-here', product.id],
      ['NOT VALID!', product.id],
    ];
    for (const [username, productId] of cases) {
      const res = await checkout(t.api.url, username, productId);
      expect(res.status, `${username}/${productId}`).toBe(404);
      expect(res.body.error?.code).toBe('NOT_FOUND');
    }
    for (const id of [creator.id, draft.creator.id, other.creator.id]) {
      expect(await ordersOf(id)).toHaveLength(0);
    }
  });

  it('when Razorpay answers 500, then 502 with its reason and our order is failed', async () => {
    const { creator, product, keys } = await t.createConnectedCreator();
    await injectSandboxFault(t.razorpayUrl, {
      status: 500,
      keyIds: [keys.keyId],
      paths: ['/v1/orders'],
    });
    const res = await checkout(t.api.url, creator.username, product.id);

    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({
      code: 'BAD_GATEWAY',
      details: {
        gateway: {
          statusCode: 500,
          code: expect.any(String) as unknown,
          description: expect.any(String) as unknown,
        },
      },
    });
    const [order] = await ordersOf(creator.id);
    expect(order).toMatchObject({
      status: 'failed',
      lastPaymentError: { code: expect.any(String) as unknown },
    });
    expect(order?.gatewayOrderId).toBeUndefined();
    const log = await transactionModel(t.api.deps.mongo).find({ orderId: order?._id }).lean();
    expect(log).toMatchObject([{ source: 'checkout', outcome: 'gateway_error' }]);
  });

  it('when Razorpay rate-limits (429), then 502 with the retry hint and our order is failed', async () => {
    const { creator, product, keys } = await t.createConnectedCreator();
    await injectSandboxFault(t.razorpayUrl, {
      status: 429,
      retryAfter: 7,
      keyIds: [keys.keyId],
      paths: ['/v1/orders'],
    });
    const res = await checkout(t.api.url, creator.username, product.id);

    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({
      details: { gateway: { statusCode: 429, retryAfterSeconds: 7 } },
    });
    const [order] = await ordersOf(creator.id);
    expect(order?.status).toBe('failed');
  });

  it('when Razorpay is slower than RAZORPAY_TIMEOUT_MS, then 504 and our order is failed', async () => {
    const { creator, product, keys } = await t.createConnectedCreator();
    await injectSandboxFault(t.razorpayUrl, {
      latencyMs: 2_000,
      keyIds: [keys.keyId],
      paths: ['/v1/orders'],
    });
    const started = Date.now();
    const res = await checkout(t.api.url, creator.username, product.id);

    expect(res.status).toBe(504);
    expect(res.body.error?.code).toBe('GATEWAY_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1_900);
    const [order] = await ordersOf(creator.id);
    expect(order).toMatchObject({
      status: 'failed',
      lastPaymentError: { code: 'GATEWAY_TIMEOUT' },
    });
  });

  it('when the creator’s stored secret cannot be decrypted, then a clean 503 and Razorpay is not called', async () => {
    const { creator, product, keys } = await t.createConnectedCreator();
    const stored = await creatorModel(t.api.deps.mongo)
      .findById(creator.id)
      .select('+razorpay')
      .lean();
    const enc = stored?.razorpay?.keySecretEnc ?? '';
    // Flip one character of the ciphertext body.
    const tampered = enc.slice(0, -2) + (enc.at(-2) === 'A' ? 'B' : 'A') + enc.slice(-1);
    await creatorModel(t.api.deps.mongo).updateOne(
      { _id: creator.id },
      { $set: { 'razorpay.keySecretEnc': tampered } },
    );

    const res = await checkout(t.api.url, creator.username, product.id);
    expect(res.status).toBe(503);
    expect(res.body.error?.code).toBe('PAYMENT_ACCOUNT_UNAVAILABLE');
    expect(JSON.stringify(res.body)).not.toContain(keys.keySecret);
    expect(await ordersOf(creator.id)).toHaveLength(0);
    expect(await sandboxRequests(t.razorpayUrl, keys.keyId)).toHaveLength(0);
  });
});
