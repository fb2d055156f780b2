import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, orderModel } from '@storefront/shared';
import {
  checkout,
  createCreatorWithProduct,
  getOrderStatus,
  injectSandboxFault,
  type PaymentsTestApi,
  startPaymentsApi,
} from '@storefront/test-support';
import { hashOrderAccessToken } from '../src/orders/order-token.ts';

let t: PaymentsTestApi;
beforeAll(async () => {
  t = await startPaymentsApi({ ORDER_TOKEN_TTL_SECONDS: '3600', DOWNLOAD_URL_TTL_SECONDS: '120' });
});
afterAll(async () => {
  await t?.api.close();
});

async function newOrder() {
  const { creator, product } = await createCreatorWithProduct(t.api.deps.mongo, {
    title: 'Field recordings',
  });
  const res = await checkout(t.api.url, creator.username, product.id);
  expect(res.status).toBe(201);
  return { ...res.body, product };
}

describe('GET /api/v1/orders/:id', () => {
  it('when the buyer presents the access token in the header, then the order status is shown', async () => {
    const order = await newOrder();
    const res = await getOrderStatus(t.api.url, order.orderId, order.accessToken);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: order.orderId,
      status: 'pending',
      amount: 49_900,
      currency: 'INR',
      productTitle: 'Field recordings',
      createdAt: expect.any(String) as unknown,
      paidAt: null,
      lastPaymentError: null,
      download: null,
    });
  });

  it('when the token comes as ?token=, then it works too and the answer is not cacheable', async () => {
    const order = await newOrder();
    const res = await fetch(
      `${t.api.url}/api/v1/orders/${order.orderId}?token=${order.accessToken}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('when the token is wrong or missing, or the id unknown or malformed, then the same 404', async () => {
    const order = await newOrder();
    const other = await newOrder();
    const attempts = [
      getOrderStatus(t.api.url, order.orderId, other.accessToken),
      getOrderStatus(t.api.url, order.orderId, order.accessToken.slice(0, -1) + 'x'),
      getOrderStatus(t.api.url, String(new Types.ObjectId()), order.accessToken),
      getOrderStatus(t.api.url, 'not-an-id', order.accessToken),
      fetch(`${t.api.url}/api/v1/orders/${order.orderId}`).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      })),
    ];
    const results = await Promise.all(attempts);
    for (const res of results) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Order not found' } });
    }
  });

  it('when the token is older than ORDER_TOKEN_TTL_SECONDS, then 404', async () => {
    const order = await newOrder();
    await orderModel(t.api.deps.mongo).collection.updateOne(
      { _id: new Types.ObjectId(order.orderId) },
      { $set: { createdAt: new Date(Date.now() - 3_601_000) } },
    );
    expect((await getOrderStatus(t.api.url, order.orderId, order.accessToken)).status).toBe(404);
  });

  it('when checkout failed at the gateway, then only the error code and description are shown', async () => {
    const { creator, product, keys } = await t.createConnectedCreator();
    await injectSandboxFault(t.razorpayUrl, { status: 503, keyIds: [keys.keyId] });
    expect((await checkout(t.api.url, creator.username, product.id)).status).toBe(502);
    const order = await orderModel(t.api.deps.mongo)
      .findOne({ creatorId: new Types.ObjectId(creator.id) })
      .lean();
    // The token is only in the 201 answer, which a failed checkout never gives: use a known one.
    const token = 'a-test-token-that-is-long-enough';
    await orderModel(t.api.deps.mongo).updateOne(
      { _id: order?._id },
      {
        $set: {
          accessTokenHash: hashOrderAccessToken(token),
          'lastPaymentError.reason': 'internal',
        },
      },
    );
    const res = await getOrderStatus(t.api.url, String(order?._id), token);
    expect(res.body).toMatchObject({
      status: 'failed',
      lastPaymentError: {
        code: expect.any(String) as unknown,
        description: expect.any(String) as unknown,
      },
    });
    expect(Object.keys(res.body.lastPaymentError as object).sort()).toEqual([
      'code',
      'description',
    ]);
  });

  it('when the order is paid and delivered, then a fresh pre-signed link downloads the file', async () => {
    const order = await newOrder();
    const fileKey = `products/${order.product.id}/file.pdf`;
    const s3 = createS3Client(t.config);
    await s3.send(
      new PutObjectCommand({ Bucket: t.config.S3_BUCKET, Key: fileKey, Body: 'the product bytes' }),
    );
    s3.destroy();
    const paidAt = new Date();
    await orderModel(t.api.deps.mongo).updateOne(
      { _id: new Types.ObjectId(order.orderId) },
      {
        $set: {
          status: 'paid',
          paidAt,
          delivery: { status: 'delivered', deliveredAt: new Date(), fileKey },
        },
      },
    );

    const before = Date.now();
    const res = await getOrderStatus(t.api.url, order.orderId, order.accessToken);
    expect(res.body).toMatchObject({ status: 'paid', paidAt: paidAt.toISOString() });
    const download = res.body.download as { url: string; expiresAt: string };
    const expiresIn = Date.parse(download.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(110_000);
    expect(expiresIn).toBeLessThan(125_000);
    expect(new URL(download.url).searchParams.get('X-Amz-Expires')).toBe('120');

    const file = await fetch(download.url);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('the product bytes');
  });

  it("when two buyers of one product look at their orders, then they get the same link, valid for at least half the link's lifetime", async () => {
    const { creator, product } = await createCreatorWithProduct(t.api.deps.mongo, {
      title: 'Shared file',
    });
    const fileKey = `products/${product.id}/shared.pdf`;
    const s3 = createS3Client(t.config);
    await s3.send(
      new PutObjectCommand({ Bucket: t.config.S3_BUCKET, Key: fileKey, Body: 'shared bytes' }),
    );
    s3.destroy();
    const orders = [];
    for (let i = 0; i < 2; i++) {
      const res = await checkout(t.api.url, creator.username, product.id);
      expect(res.status).toBe(201);
      orders.push(res.body);
      await orderModel(t.api.deps.mongo).updateOne(
        { _id: new Types.ObjectId(res.body.orderId) },
        {
          $set: {
            status: 'paid',
            paidAt: new Date(),
            delivery: { status: 'delivered', deliveredAt: new Date(), fileKey },
          },
        },
      );
    }
    const before = Date.now();
    const [first, second] = orders as [(typeof orders)[0], (typeof orders)[0]];
    const a = await getOrderStatus(t.api.url, first.orderId, first.accessToken);
    const b = await getOrderStatus(t.api.url, second.orderId, second.accessToken);
    const linkA = a.body.download as { url: string; expiresAt: string };
    const linkB = b.body.download as { url: string; expiresAt: string };
    // Signed once: the later answer states the same expiry (to the millisecond), not its own.
    expect(linkB).toEqual(linkA);
    expect(Date.parse(linkA.expiresAt) - before).toBeGreaterThan(60_000);
    const file = await fetch(linkB.url);
    expect(await file.text()).toBe('shared bytes');
  });

  it('when the order is paid but not yet delivered, then there is no download link', async () => {
    const order = await newOrder();
    await orderModel(t.api.deps.mongo).updateOne(
      { _id: new Types.ObjectId(order.orderId) },
      { $set: { status: 'paid', paidAt: new Date(), delivery: { status: 'queued' } } },
    );
    const res = await getOrderStatus(t.api.url, order.orderId, order.accessToken);
    expect(res.body).toMatchObject({ status: 'paid', download: null });
  });
});
