import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRazorpayClient, verifyWebhookSignature } from '@storefront/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKOUT_MODAL_SELECTORS,
  checkoutScriptUrl,
  startRazorpaySandbox,
  type CheckoutFailure,
  type CheckoutSuccess,
  type RazorpaySandbox,
} from '../../src/razorpay/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

// Over real HTTP, as a browser and the modal would call it. The browser's side (checkout.js and
// modal.js running in Chromium) is left to the browser suite: no browser driver is a dependency.

interface TestAccount {
  keyId: string;
  keySecret: string;
  webhookSecret: string;
  webhookUrl?: string;
}

let sandbox: RazorpaySandbox;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  sandbox = await startRazorpaySandbox({ retryDelayMs: 10, webhookTimeoutMs: 1_000 });
});
afterAll(async () => {
  await sandbox.stop();
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

/** A fresh account registered over HTTP, with its own webhook receiver when asked. */
async function newAccount(options: { webhooks?: boolean } = {}): Promise<{
  account: TestAccount;
  receiver: WebhookReceiver | undefined;
}> {
  const receiver = options.webhooks === true ? await startWebhookReceiver() : undefined;
  if (receiver !== undefined) receivers.push(receiver);
  const suffix = randomBytes(5).toString('hex');
  const account: TestAccount = {
    keyId: `rzp_test_co${suffix}`,
    keySecret: `key-secret-${suffix}`,
    webhookSecret: `whsec-${suffix}`,
    ...(receiver === undefined ? {} : { webhookUrl: receiver.url }),
  };
  const res = await fetch(`${sandbox.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  expect(res.status).toBe(201);
  return { account, receiver };
}

const newOrder = (account: TestAccount, amount = 49_900) =>
  createRazorpayClient({ ...account, baseUrl: sandbox.url }).orders.create({
    amount,
    currency: 'INR',
  });

const modalUrl = (params: Record<string, string>) =>
  `${sandbox.url}/_sandbox/checkout/modal?${new URLSearchParams(params).toString()}`;

async function postPay(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.url}/_sandbox/checkout/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The server-side check a merchant makes: HMAC-SHA256(order_id|payment_id, key secret). */
function signatureVerifies(orderId: string, response: CheckoutSuccess, keySecret: string): boolean {
  const expected = createHmac('sha256', keySecret)
    .update(`${orderId}|${response.razorpay_payment_id}`)
    .digest();
  const given = Buffer.from(response.razorpay_signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const control = async (path: string) =>
  (await (await fetch(`${sandbox.url}/_sandbox${path}`)).json()) as Record<string, unknown>;

describe('Razorpay sandbox Standard Checkout stand-in', () => {
  it('when checkout.js is requested, then it is served as JavaScript that browsers revalidate, without auth, log or faults', async () => {
    const url = checkoutScriptUrl(sandbox.url);
    expect(url).toBe(`${sandbox.url}/v1/checkout.js`);
    expect(checkoutScriptUrl(`${sandbox.url}/`, { capture: 'manual' })).toBe(
      `${sandbox.url}/v1/checkout.js?capture=manual`,
    );
    sandbox.clearRequests();
    sandbox.injectFault({ status: 503, count: 1 });
    try {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^"[\w-]+"$/);
      const source = await res.text();
      expect(source).toContain('window.Razorpay = Razorpay');
      expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(source));

      const again = await fetch(url, { headers: { 'if-none-match': etag ?? '' } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    } finally {
      sandbox.clearFaults();
    }
    expect(sandbox.requests()).toEqual([]);

    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('when the modal opens for an order of that key id, then it shows the amount due with Pay, Fail and Close under its own strict CSP', async () => {
    const { account } = await newAccount();
    const order = await newOrder(account);
    const res = await fetch(
      modalUrl({
        order_id: order.id,
        key_id: account.keyId,
        origin: 'http://127.0.0.1:3000',
        name: '<img src=x>Zine & Co',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toContain('INR 499.00');
    expect(html).toContain(`data-order-id="${order.id}"`);
    expect(html).toContain('data-parent-origin="http://127.0.0.1:3000"');
    for (const selector of Object.values(CHECKOUT_MODAL_SELECTORS)) {
      expect(html).toContain(`id="${selector.slice(1)}"`);
    }
    // Every script is an external file; what the host page passed is text, never markup.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x&#62;Zine &#38; Co');

    for (const [file, type] of [
      ['modal.js', 'text/javascript; charset=utf-8'],
      ['modal.css', 'text/css; charset=utf-8'],
    ] as const) {
      const asset = await fetch(`${sandbox.url}/_sandbox/checkout/${file}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toBe(type);
    }
  });

  it("when the modal opens with another account's key id, an unknown key id, an unknown order or a bad origin, then it answers 4xx naming the reason", async () => {
    const { account } = await newAccount();
    const { account: other } = await newAccount();
    const order = await newOrder(account);

    const cases: Array<[Record<string, string>, number, string]> = [
      [
        { order_id: order.id, key_id: other.keyId },
        400,
        `order ${order.id} was created with key_id ${account.keyId}, not ${other.keyId}`,
      ],
      [
        { order_id: order.id, key_id: 'rzp_test_nobody' },
        401,
        'key_id rzp_test_nobody is not an account of this sandbox',
      ],
      [
        { order_id: 'order_00000000000000', key_id: account.keyId },
        404,
        'order order_00000000000000 does not exist',
      ],
      [{ order_id: 'nope', key_id: account.keyId }, 400, 'nope is not a valid id'],
      [{ order_id: order.id }, 400, 'key_id is required'],
      [
        { order_id: order.id, key_id: account.keyId, origin: 'javascript:alert(1)' },
        400,
        'origin must be an http(s) origin',
      ],
    ];
    for (const [params, status, message] of cases) {
      const res = await fetch(modalUrl(params));
      const html = await res.text();
      expect({ params, status: res.status }).toEqual({ params, status });
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(html).toContain('data-state="error"');
      expect(html).toContain(message);
      expect(html).not.toContain('id="sandbox-pay"');
      // Close still works on an error page.
      expect(html).toContain('id="sandbox-close"');
    }
  });

  it("when Pay is posted, then the handler payload is signed with the order account's key secret and the signed webhooks arrive", async () => {
    const { account, receiver } = await newAccount({ webhooks: true });
    const order = await newOrder(account);

    const paid = await postPay({
      order_id: order.id,
      key_id: account.keyId,
      outcome: 'captured',
      email: 'buyer@example.com',
    });
    expect(paid.status).toBe(200);
    const response = paid.body as unknown as CheckoutSuccess;
    expect(Object.keys(response).sort()).toEqual([
      'razorpay_order_id',
      'razorpay_payment_id',
      'razorpay_signature',
    ]);
    expect(response.razorpay_order_id).toBe(order.id);
    expect(response.razorpay_signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signatureVerifies(order.id, response, account.keySecret)).toBe(true);
    expect(signatureVerifies(order.id, response, account.webhookSecret)).toBe(false);

    const hooks = await receiver!.waitFor(3);
    expect(hooks.map((hook) => hook.event)).toEqual([
      'payment.authorized',
      'payment.captured',
      'order.paid',
    ]);
    for (const hook of hooks) {
      expect(verifyWebhookSignature(hook.raw, hook.signature ?? '', account.webhookSecret)).toBe(
        true,
      );
      expect(hook.body.payload.payment?.entity).toMatchObject({
        id: response.razorpay_payment_id,
        order_id: order.id,
        email: 'buyer@example.com',
      });
    }
    expect(await control(`/orders/${order.id}`)).toMatchObject({ status: 'paid', amount_due: 0 });

    // A paid order opens no modal and takes no second payment.
    const reopened = await fetch(modalUrl({ order_id: order.id, key_id: account.keyId }));
    expect(reopened.status).toBe(400);
    expect(await reopened.text()).toContain(`order ${order.id} is already paid`);
    const again = await postPay({ order_id: order.id, key_id: account.keyId });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({
      error: { description: `order ${order.id} is already paid`, metadata: {} },
    });
  });

  it('when Fail is posted, then the payment.failed payload names the order and payment, and a retry on the same order succeeds', async () => {
    const { account, receiver } = await newAccount({ webhooks: true });
    const order = await newOrder(account);

    const failed = await postPay({ order_id: order.id, key_id: account.keyId, outcome: 'failed' });
    expect(failed.status).toBe(200);
    const { error } = failed.body as unknown as CheckoutFailure;
    expect(error).toEqual({
      code: 'BAD_REQUEST_ERROR',
      description: expect.any(String) as unknown,
      source: 'bank',
      step: 'payment_authorization',
      reason: 'payment_failed',
      metadata: {
        order_id: order.id,
        payment_id: expect.stringMatching(/^pay_\w{14}$/) as unknown,
      },
    });
    const [failedHook] = await receiver!.waitFor(1);
    expect(failedHook?.event).toBe('payment.failed');
    expect(failedHook?.body.payload.payment?.entity).toMatchObject({
      id: error.metadata.payment_id,
      status: 'failed',
    });
    expect(await control(`/orders/${order.id}`)).toMatchObject({ status: 'attempted' });

    // The modal stays open; the buyer pays on the second try.
    const retried = await postPay({ order_id: order.id, key_id: account.keyId });
    expect(retried.status).toBe(200);
    const response = retried.body as unknown as CheckoutSuccess;
    expect(response.razorpay_payment_id).not.toBe(error.metadata.payment_id);
    expect(signatureVerifies(order.id, response, account.keySecret)).toBe(true);
    await receiver!.waitFor(4);

    const client = createRazorpayClient({ ...account, baseUrl: sandbox.url });
    expect(await client.orders.fetch(order.id)).toMatchObject({ status: 'paid', attempts: 2 });
    const payments = await client.orders.fetchPayments(order.id);
    expect(payments.items.map((payment) => [payment.id, payment.status])).toEqual([
      [error.metadata.payment_id, 'failed'],
      [response.razorpay_payment_id, 'captured'],
    ]);
  });

  it('when the outcome is authorized, then the payment is only authorized and a later capture pays the order', async () => {
    const { account, receiver } = await newAccount({ webhooks: true });
    const order = await newOrder(account);

    const paid = await postPay({
      order_id: order.id,
      key_id: account.keyId,
      outcome: 'authorized',
    });
    expect(paid.status).toBe(200);
    const response = paid.body as unknown as CheckoutSuccess;
    expect(signatureVerifies(order.id, response, account.keySecret)).toBe(true);
    await sandbox.idle();
    expect(receiver!.received.map((hook) => hook.event)).toEqual(['payment.authorized']);
    expect(await control(`/payments/${response.razorpay_payment_id}`)).toMatchObject({
      status: 'authorized',
    });
    expect(await control(`/orders/${order.id}`)).toMatchObject({ status: 'attempted' });

    const captured = await fetch(
      `${sandbox.url}/_sandbox/payments/${response.razorpay_payment_id}/capture`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    );
    expect(captured.status).toBe(200);
    expect(await control(`/orders/${order.id}`)).toMatchObject({ status: 'paid' });
  });

  it('when a pay request is refused, then it is a 4xx without a payment attempt', async () => {
    const { account } = await newAccount();
    const { account: other } = await newAccount();
    const order = await newOrder(account);

    const refusals: Array<[unknown, number, string]> = [
      [
        { order_id: order.id, key_id: other.keyId },
        400,
        `order ${order.id} was created with key_id ${account.keyId}, not ${other.keyId}`,
      ],
      [{ order_id: order.id }, 400, 'key_id is required'],
      [
        { order_id: order.id, key_id: account.keyId, outcome: 'paid' },
        400,
        'outcome must be captured, authorized or failed',
      ],
      [{ order_id: order.id, key_id: account.keyId, email: 7 }, 400, 'email must be a string'],
      [['not', 'an', 'object'], 400, 'body must be a JSON object'],
    ];
    for (const [body, status, description] of refusals) {
      const answer = await postPay(body);
      expect({ body, status: answer.status }).toEqual({ body, status });
      expect(answer.body).toMatchObject({ error: { description, metadata: {} } });
    }
    expect(await control(`/orders/${order.id}`)).toMatchObject({ status: 'created', attempts: 0 });

    const get = await fetch(`${sandbox.url}/_sandbox/checkout/pay`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('when the sandbox is started with checkoutDeliver, then checkout payments send each event that many times under one event id', async () => {
    const dup = await startRazorpaySandbox({ checkoutDeliver: { times: 2, shuffle: true } });
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    try {
      const suffix = randomBytes(5).toString('hex');
      const account = {
        keyId: `rzp_test_dd${suffix}`,
        keySecret: `key-secret-${suffix}`,
        webhookSecret: `whsec-${suffix}`,
        webhookUrl: receiver.url,
      };
      dup.addAccount(account);
      const order = await createRazorpayClient({ ...account, baseUrl: dup.url }).orders.create({
        amount: 49_900,
        currency: 'INR',
      });
      const res = await fetch(`${dup.url}/_sandbox/checkout/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ order_id: order.id, key_id: account.keyId }),
      });
      expect(res.status).toBe(200);
      const hooks = await receiver.waitFor(6);
      const copies = new Map<string, string[]>();
      for (const hook of hooks)
        copies.set(hook.eventId, [...(copies.get(hook.eventId) ?? []), hook.event]);
      expect([...copies.values()].map((events) => events.join()).sort()).toEqual([
        'order.paid,order.paid',
        'payment.authorized,payment.authorized',
        'payment.captured,payment.captured',
      ]);
    } finally {
      await dup.stop();
    }
  });
});
