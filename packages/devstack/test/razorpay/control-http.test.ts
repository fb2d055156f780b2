import { createRazorpayClient } from '@storefront/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRazorpaySandbox, type RazorpaySandbox } from '../../src/razorpay/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

let sandbox: RazorpaySandbox;
let receiver: WebhookReceiver;

const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  sandbox = await startRazorpaySandbox();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.close();
});

describe('Razorpay sandbox control endpoints over HTTP', () => {
  it('when an account is registered over HTTP, then its keys work and its webhooks are signed with its secret', async () => {
    const account = {
      keyId: 'rzp_test_ctl0000001',
      keySecret: 'ctl-secret',
      webhookSecret: 'ctl-whsec',
      webhookUrl: receiver.url,
    };
    expect((await control('POST', '/accounts', account)).status).toBe(201);
    const client = createRazorpayClient({ ...account, baseUrl: sandbox.url });
    const order = await client.orders.create({ amount: 300, currency: 'INR' });
    expect((await control('GET', `/orders/${order.id}`)).body).toMatchObject({ status: 'created' });

    const paid = await control('POST', `/orders/${order.id}/pay`, { status: 'authorized' });
    expect(paid.status).toBe(200);
    const [hook] = await receiver.waitFor(1);
    expect(hook?.event).toBe('payment.authorized');
  });

  it('when a registration is incomplete, then it is refused with 400', async () => {
    const missingSecret = await control('POST', '/accounts', {
      keyId: 'rzp_test_x',
      keySecret: 's',
      webhookUrl: receiver.url,
    });
    expect(missingSecret.status).toBe(400);
    expect(missingSecret.body).toMatchObject({
      error: {
        code: 'BAD_REQUEST_ERROR',
        description: 'webhookSecret is required with webhookUrl',
      },
    });
    expect((await control('POST', '/accounts', { keyId: 'k' })).status).toBe(400);
  });

  it('when requests are read and cleared over HTTP, then the log reflects it', async () => {
    await control('POST', '/accounts', { keyId: 'rzp_test_ctl0000002', keySecret: 'two' });
    const client = createRazorpayClient({
      keyId: 'rzp_test_ctl0000002',
      keySecret: 'two',
      baseUrl: sandbox.url,
    });
    await client.orders.create({ amount: 100, currency: 'INR' });
    const log = await control('GET', '/requests?keyId=rzp_test_ctl0000002');
    expect(log.body.items).toEqual([
      {
        method: 'POST',
        path: '/v1/orders',
        status: 200,
        keyId: 'rzp_test_ctl0000002',
        at: expect.any(Number) as unknown,
      },
    ]);
    await control('DELETE', '/requests');
    expect((await control('GET', '/requests')).body.items).toEqual([]);
  });

  it('when webhooks are set to drop over HTTP, then the next one is logged as dropped', async () => {
    const account = {
      keyId: 'rzp_test_ctl0000003',
      keySecret: 'three',
      webhookSecret: 'w3',
      webhookUrl: receiver.url,
    };
    await control('POST', '/accounts', account);
    expect((await control('POST', '/webhooks/drop', { count: 1 })).status).toBe(201);
    const order = await createRazorpayClient({ ...account, baseUrl: sandbox.url }).orders.create({
      amount: 100,
      currency: 'INR',
    });
    const paid = await control('POST', `/orders/${order.id}/pay`, { status: 'failed' });
    expect(paid.body.deliveries).toEqual([expect.objectContaining({ status: 'dropped' })]);
    expect((await control('POST', '/webhooks/drop', { count: 1, ratio: 0.5 })).status).toBe(400);
    await control('DELETE', '/webhooks/drop');
  });

  it('when reset, then orders and logs are gone but accounts stay unless asked', async () => {
    await control('POST', '/accounts', { keyId: 'rzp_test_ctl0000004', keySecret: 'four' });
    const client = createRazorpayClient({
      keyId: 'rzp_test_ctl0000004',
      keySecret: 'four',
      baseUrl: sandbox.url,
    });
    const order = await client.orders.create({ amount: 100, currency: 'INR' });
    expect((await control('POST', '/reset', {})).status).toBe(200);
    expect((await control('GET', `/orders/${order.id}`)).status).toBe(404);
    await expect(client.orders.create({ amount: 100, currency: 'INR' })).resolves.toBeDefined();

    await control('POST', '/reset', { accounts: true });
    await expect(client.orders.create({ amount: 100, currency: 'INR' })).rejects.toMatchObject({
      statusCode: 401,
    });
  });

  it('when a control path or pay body is unknown, then it answers 404 or 400', async () => {
    expect((await control('GET', '/health')).body).toEqual({ ok: true });
    expect((await control('GET', '/nothing-here')).status).toBe(404);
    expect(
      (await control('POST', '/orders/order_00000000000000/pay', { status: 'captured' })).status,
    ).toBe(404);
    expect(
      (await control('POST', '/orders/order_00000000000000/pay', { status: 'paid' })).status,
    ).toBe(400);
  });
});
