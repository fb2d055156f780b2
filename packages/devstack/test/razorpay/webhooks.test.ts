import { createRazorpayClient, verifyWebhookSignature } from '@storefront/shared';
import Razorpay from 'razorpay';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startRazorpaySandbox,
  type RazorpaySandbox,
  type SandboxAccount,
} from '../../src/razorpay/index.ts';
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
} from './webhook-receiver.ts';

let sandbox: RazorpaySandbox;
let receiver: WebhookReceiver;
let account: SandboxAccount & { webhookSecret: string };

const newOrder = (amount = 2_500) =>
  createRazorpayClient({ ...account, baseUrl: sandbox.url }).orders.create({
    amount,
    currency: 'INR',
  });

const signedByAccount = (hook: ReceivedWebhook): boolean =>
  hook.signature !== undefined &&
  Razorpay.validateWebhookSignature(
    hook.raw.toString('utf8'),
    hook.signature,
    account.webhookSecret,
  ) &&
  verifyWebhookSignature(hook.raw, hook.signature, account.webhookSecret);

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  account = {
    keyId: 'rzp_test_hooks000001',
    keySecret: 'hooks-secret',
    webhookSecret: 'whsec-hooks',
    webhookUrl: receiver.url,
    accountId: 'acc_HooksAccount01',
  };
  sandbox = await startRazorpaySandbox({
    accounts: [account],
    retryDelayMs: 10,
    webhookTimeoutMs: 300,
  });
});
afterEach(() => {
  receiver.received.length = 0;
  receiver.respond = () => 200;
  sandbox.clearWebhookDrops();
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.close();
});

describe('Razorpay sandbox webhooks', () => {
  it('when a payment is captured, then authorized, captured and order.paid arrive signed, each with its own event id', async () => {
    const order = await newOrder();
    const result = await sandbox.pay(order.id, { status: 'captured', email: 'b@example.com' });
    const hooks = await receiver.waitFor(3);

    expect(hooks.map((h) => h.event)).toEqual([
      'payment.authorized',
      'payment.captured',
      'order.paid',
    ]);
    expect(hooks.every(signedByAccount)).toBe(true);
    expect(new Set(hooks.map((h) => h.eventId)).size).toBe(3);
    for (const hook of hooks) {
      expect(hook.eventId).toMatch(/^[A-Za-z0-9]{14}$/);
      expect(hook.headers['content-type']).toBe('application/json');
      expect(Object.keys(hook.body)).toEqual([
        'entity',
        'account_id',
        'event',
        'contains',
        'payload',
        'created_at',
      ]);
      expect(hook.body).toMatchObject({ entity: 'event', account_id: 'acc_HooksAccount01' });
      expect(typeof hook.body.created_at).toBe('number');
    }
    const [authorized, captured, paid] = hooks.map((h) => h.body);
    // Each payload is a snapshot at event time.
    expect(authorized?.contains).toEqual(['payment']);
    expect(authorized?.payload.payment?.entity).toMatchObject({
      id: result.payment.id,
      status: 'authorized',
      captured: false,
      order_id: order.id,
      email: 'b@example.com',
      card: { last4: '1111', network: 'Visa' },
    });
    expect(captured?.payload.payment?.entity).toMatchObject({ status: 'captured', captured: true });
    expect(paid?.contains).toEqual(['payment', 'order']);
    expect(paid?.payload.order?.entity).toMatchObject({
      id: order.id,
      status: 'paid',
      amount_paid: 2_500,
      amount_due: 0,
    });
    expect(result.deliveries.map((d) => [d.event, d.status, d.attempts, d.statusCode])).toEqual([
      ['payment.authorized', 'delivered', 1, 200],
      ['payment.captured', 'delivered', 1, 200],
      ['order.paid', 'delivered', 1, 200],
    ]);
  });

  it('when a payment fails, then payment.failed carries the error fields and the order is attempted', async () => {
    const order = await newOrder();
    await sandbox.pay(order.id, { status: 'failed', method: 'netbanking' });
    const [hook] = await receiver.waitFor(1);
    expect(hook?.event).toBe('payment.failed');
    expect(signedByAccount(hook!)).toBe(true);
    expect(hook?.body.payload.payment?.entity).toMatchObject({
      status: 'failed',
      method: 'netbanking',
      bank: 'HDFC',
      error_code: 'BAD_REQUEST_ERROR',
      error_source: 'bank',
      error_step: 'payment_authorization',
      error_reason: 'payment_failed',
    });
    expect(sandbox.getOrder(order.id)).toMatchObject({ status: 'attempted', attempts: 1 });
  });

  it('when an authorized payment is captured later, then payment.captured and order.paid follow', async () => {
    const order = await newOrder();
    const authorized = await sandbox.pay(order.id, { status: 'authorized' });
    const captured = await sandbox.capture(authorized.payment.id);
    const hooks = await receiver.waitFor(3);
    expect(hooks.map((h) => h.event)).toEqual([
      'payment.authorized',
      'payment.captured',
      'order.paid',
    ]);
    expect(captured.order.status).toBe('paid');
  });

  it('when deliveries are duplicated, then every copy of an event shares its event id and bytes', async () => {
    const order = await newOrder();
    const { deliveries } = await sandbox.pay(order.id, {
      status: 'captured',
      deliver: { times: 3 },
    });
    const hooks = await receiver.waitFor(9);
    expect(hooks.every(signedByAccount)).toBe(true);
    const byId = Map.groupBy(hooks, (h) => h.eventId);
    expect(byId.size).toBe(3);
    for (const copies of byId.values()) {
      expect(copies).toHaveLength(3);
      expect(new Set(copies.map((c) => c.raw.toString('base64'))).size).toBe(1);
    }
    expect(deliveries.map((d) => d.copy).sort()).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
  });

  it('when deliveries are shuffled, then the events arrive out of order', async () => {
    const order = await newOrder();
    await sandbox.pay(order.id, { status: 'captured', deliver: { times: 5, shuffle: true } });
    const hooks = await receiver.waitFor(15);
    const inOrder = Array.from({ length: 5 }, () => [
      'payment.authorized',
      'payment.captured',
      'order.paid',
    ]).flat();
    // A shuffle of 15 copies lands on event order with probability ~1e-6.
    expect(hooks.map((h) => h.event)).not.toEqual(inOrder);
    expect(hooks.map((h) => h.event).sort()).toEqual([...inOrder].sort());
  });

  it('when a payment asks for its webhooks to be dropped, then none is sent and they are logged as dropped', async () => {
    const lost = await newOrder();
    const dropped = await sandbox.pay(lost.id, { status: 'captured', deliver: { drop: true } });
    expect(dropped.deliveries.map((d) => d.status)).toEqual(['dropped', 'dropped', 'dropped']);

    const kept = await newOrder();
    await sandbox.pay(kept.id, { status: 'failed' });
    const hooks = await receiver.waitFor(1);
    expect(receiver.received).toHaveLength(1);
    expect(hooks[0]?.body.payload.payment?.entity.order_id).toBe(kept.id);
    expect(sandbox.deliveries({ orderId: lost.id }).map((d) => d.status)).toEqual([
      'dropped',
      'dropped',
      'dropped',
    ]);
  });

  it('when the next two webhooks are set to drop, then exactly those are lost', async () => {
    sandbox.dropWebhooks({ count: 2, keyIds: [account.keyId] });
    const order = await newOrder();
    const { deliveries } = await sandbox.pay(order.id, { status: 'captured' });
    expect(deliveries.map((d) => d.status)).toEqual(['dropped', 'dropped', 'delivered']);
    const hooks = await receiver.waitFor(1);
    expect(hooks.map((h) => h.event)).toEqual(['order.paid']);
  });

  it('when the endpoint fails twice, then the same event is retried until it is accepted', async () => {
    receiver.respond = (n) => (n < 2 ? 500 : 200);
    const order = await newOrder();
    const { deliveries } = await sandbox.pay(order.id, { status: 'failed' });
    const hooks = await receiver.waitFor(3);
    expect(new Set(hooks.map((h) => h.eventId)).size).toBe(1);
    expect(hooks.map((h) => h.status)).toEqual([500, 500, 200]);
    expect(deliveries[0]).toMatchObject({ status: 'delivered', attempts: 3, statusCode: 200 });
  });

  it('when the endpoint keeps failing or hangs, then delivery gives up after the retries', async () => {
    receiver.respond = (n) => (n === 0 ? 'hang' : 503);
    const order = await newOrder();
    const { deliveries } = await sandbox.pay(order.id, {
      status: 'failed',
      deliver: { retries: 2 },
    });
    expect(deliveries[0]).toMatchObject({ status: 'failed', attempts: 3, statusCode: 503 });
    expect(receiver.received).toHaveLength(3);
    const timedOut = sandbox.deliveries({ orderId: order.id });
    expect(timedOut[0]?.status).toBe('failed');
  });

  it('when wait is false, then the call answers at once and delivers in the background', async () => {
    const order = await newOrder();
    const result = await sandbox.pay(order.id, {
      status: 'captured',
      wait: false,
      deliver: { delayMs: 50 },
    });
    expect(result.deliveries.every((d) => d.status === 'pending')).toBe(true);
    await sandbox.idle();
    expect(sandbox.deliveries({ orderId: order.id }).map((d) => d.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);
    expect(receiver.received).toHaveLength(3);
  });

  it('when paid through the HTTP control endpoint with a URL override, then the response lists the deliveries', async () => {
    const other = await startWebhookReceiver();
    try {
      const order = await newOrder();
      const res = await fetch(`${sandbox.url}/_sandbox/orders/${order.id}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          status: 'captured',
          method: 'upi',
          webhookUrl: other.url,
          deliver: { times: 2 },
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        payment: Record<string, unknown>;
        deliveries: unknown[];
      };
      expect(body.payment).toMatchObject({
        method: 'upi',
        vpa: 'success@razorpay',
        status: 'captured',
      });
      expect(body.payment).not.toHaveProperty('card');
      expect(body.deliveries).toHaveLength(6);
      await other.waitFor(6);
      expect(receiver.received).toHaveLength(0);

      const log = await fetch(`${sandbox.url}/_sandbox/deliveries?orderId=${order.id}`);
      const { items } = (await log.json()) as { items: Array<{ eventId: string; status: string }> };
      expect(items).toHaveLength(6);
      expect(new Set(items.map((d) => d.eventId)).size).toBe(3);

      const again = await fetch(`${sandbox.url}/_sandbox/orders/${order.id}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'captured' }),
      });
      expect(again.status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it('when the sandbox stops with retries pending, then stop() abandons them promptly', async () => {
    const local = await startRazorpaySandbox({ accounts: [account], retryDelayMs: 60_000 });
    receiver.respond = () => 500;
    const order = await createRazorpayClient({ ...account, baseUrl: local.url }).orders.create({
      amount: 100,
      currency: 'INR',
    });
    await local.pay(order.id, { status: 'failed', wait: false });
    await receiver.waitFor(1);
    const started = Date.now();
    await local.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(local.deliveries()[0]).toMatchObject({ status: 'failed', attempts: 1 });
  });
});
