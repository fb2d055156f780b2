import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRazorpayClient, RazorpayError } from '@storefront/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRazorpaySandbox, type RazorpaySandbox } from '../../src/razorpay/index.ts';

const keys = { keyId: 'rzp_test_faults00001', keySecret: 'faults-secret' };
const other = { keyId: 'rzp_test_faults00002', keySecret: 'other-secret' };

let sandbox: RazorpaySandbox;
const client = (timeoutMs = 2_000, k = keys) =>
  createRazorpayClient({ ...k, baseUrl: sandbox.url, timeoutMs });

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
  sandbox = await startRazorpaySandbox({ accounts: [keys, other] });
});
afterEach(() => {
  sandbox.clearFaults();
});
afterAll(async () => {
  await sandbox.stop();
});

describe('Razorpay sandbox faults, seen through createRazorpayClient', () => {
  it('when rate limited with Retry-After, then the error is a retryable 429 carrying the delay', async () => {
    const order = await client().orders.create({ amount: 100, currency: 'INR' });
    sandbox.injectFault({ status: 429, count: 2, retryAfter: 7 });

    for (let i = 0; i < 2; i += 1) {
      const err = await rejection(client().orders.fetch(order.id));
      expect(err).toMatchObject({
        kind: 'http',
        statusCode: 429,
        code: 'BAD_REQUEST_ERROR',
        description: 'Too many requests',
        retryAfterSeconds: 7,
        retryable: true,
      });
    }
    // The count is used up: the third call goes through.
    await expect(client().orders.fetch(order.id)).resolves.toMatchObject({ id: order.id });
  });

  it('when rate limited without Retry-After, then retryAfterSeconds is undefined', async () => {
    sandbox.injectFault({ status: 429 });
    const err = await rejection(client().orders.create({ amount: 100, currency: 'INR' }));
    expect(err.statusCode).toBe(429);
    expect(err.retryAfterSeconds).toBeUndefined();
  });

  it.each([500, 502, 503] as const)(
    'when Razorpay answers %i, then the error is a retryable http error',
    async (status) => {
      sandbox.injectFault({ status });
      const err = await rejection(client().orders.create({ amount: 100, currency: 'INR' }));
      expect(err).toMatchObject({ kind: 'http', statusCode: status, retryable: true });
      expect(err.code).toBe('SERVER_ERROR');
    },
  );

  it('when Razorpay is slower than the client timeout, then the error is a retryable timeout, and the call still took effect', async () => {
    sandbox.injectFault({ latencyMs: 600, paths: ['/v1/orders'] });
    const before = Date.now();
    const err = await rejection(
      client(150).orders.create({ amount: 777, currency: 'INR', receipt: 'slow-1' }),
    );
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect(err.statusCode).toBeUndefined();
    expect(Date.now() - before).toBeLessThan(550);

    // Like the real thing: the client gave up, but the order exists once the server gets to it.
    const deadline = Date.now() + 3_000;
    let logged = sandbox.requests({ keyId: keys.keyId }).filter((r) => r.status === 200);
    while (!logged.some((r) => r.path === '/v1/orders') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      logged = sandbox.requests({ keyId: keys.keyId }).filter((r) => r.status === 200);
    }
    expect(logged.some((r) => r.path === '/v1/orders')).toBe(true);
  });

  it('when nothing listens at the base URL, then the error is a retryable network error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const offline = createRazorpayClient({ ...keys, baseUrl: `http://127.0.0.1:${port}` });
    const err = await rejection(offline.orders.fetch('order_00000000000000'));
    expect(err).toMatchObject({ kind: 'network', causeCode: 'ECONNREFUSED', retryable: true });
    // The raw axios error (whose config holds the key secret) is not attached.
    expect(JSON.stringify(err)).not.toContain(keys.keySecret);
    expect(err.cause).toBeUndefined();
  });

  it('when the API answers a redirect, then the call fails with that status and nothing follows it', async () => {
    let followed = 0;
    const redirecting = http.createServer((req, res) => {
      if (req.url?.startsWith('/elsewhere')) followed += 1;
      res.writeHead(302, { location: '/elsewhere/v1/orders', 'content-length': '0' }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirecting.address() as AddressInfo;
      const moved = createRazorpayClient({ ...keys, baseUrl: `http://127.0.0.1:${port}` });
      const err = await rejection(moved.orders.create({ amount: 100, currency: 'INR' }));
      expect(err).toMatchObject({ kind: 'http', statusCode: 302 });
      expect(followed).toBe(0);
    } finally {
      redirecting.closeAllConnections();
      await new Promise<void>((resolve) => redirecting.close(() => resolve()));
    }
  });

  it('when a fault is scoped to paths and key ids, then other calls are not affected', async () => {
    const order = await client().orders.create({ amount: 100, currency: 'INR' });
    sandbox.injectFault({ status: 503, paths: ['/v1/payments'], keyIds: [keys.keyId] });

    await expect(client().orders.fetch(order.id)).resolves.toMatchObject({ id: order.id });
    const otherErr = await rejection(client(2_000, other).payments.fetch('pay_00000000000000'));
    expect(otherErr.statusCode).toBe(400);
    const hit = await rejection(client().payments.fetch('pay_00000000000000'));
    expect(hit.statusCode).toBe(503);
  });

  it('when faults are armed over HTTP and cleared, then calls go through again', async () => {
    const res = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 500, count: 100 }),
    });
    expect(res.status).toBe(201);
    await rejection(client().orders.create({ amount: 100, currency: 'INR' }));
    const cleared = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    await expect(client().orders.create({ amount: 100, currency: 'INR' })).resolves.toMatchObject({
      status: 'created',
    });

    const bad = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 418 }),
    });
    expect(bad.status).toBe(400);
  });
});
