import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_DEPLOYMENTS, testConfig, uniqueName } from '@storefront/devstack/test-harness';
import {
  orderModel,
  webhookDlqModel,
  webhookEventModel,
  type Config,
  type Order,
} from '@storefront/shared';
import { startWorker, type RunningWorker } from '@storefront/worker';
import {
  type AlertSink,
  capturedEvent,
  checkout,
  type CheckoutResponse,
  createCreatorWithProduct,
  eventually,
  newRazorpayKeys,
  pollUntil,
  postWebhook,
  type RazorpayKeys,
  registerSandboxAccount,
  type SeededCreator,
  startAlertSink,
  webhookUrl,
  startCheckedApi,
} from '@storefront/test-support';
import type { RunningApi } from '../src/server.ts';

// Operators and the DLQ, end to end over a real API and worker: an event that keeps failing goes
// dead after five retries (with an alert POSTed to ALERT_WEBHOOK_URL), shows up in the admin API,
// and a replay after the cause is fixed applies it. Retries run at 1/2000 of real time. On the
// run's one redis-server, and again with API and worker on its Redis Cluster.

const ADMIN = { user: 'ops', password: 'a-long-admin-password' };
const auth = {
  authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`,
};

let config: Config;
let api: RunningApi;
let worker: RunningWorker;
let alertSink: AlertSink;

/** A DLQ entry as the admin API returns it. */
interface EntryJson {
  _id: string;
  status: string;
  retry_count: number;
  event_type: string;
  permanent: boolean;
  error_message: string;
  discard_reason?: string;
  webhook_payload?: { payload: { payment: { entity: { order_id: string } } } };
}
interface ListJson {
  items: EntryJson[];
  total: number;
  page: number;
  limit: number;
}

async function admin<T = Record<string, unknown>>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${api.url}/api/v1/admin/dlq${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function creatorWithAccount(): Promise<SeededCreator & { keys: RazorpayKeys }> {
  const keys = newRazorpayKeys();
  const seeded = await createCreatorWithProduct(api.deps.mongo, { config, razorpay: keys });
  await registerSandboxAccount(inject('razorpayUrl'), {
    ...keys,
    webhookUrl: webhookUrl(api.url, seeded.creator.id),
  });
  return { ...seeded, keys };
}

const inboxStatus = async (id: string) =>
  (await webhookEventModel(api.deps.mongo).findById(id).lean().exec())?.status;
/** Waits for inbox event `id` to be processed; a timeout shows the inbox and DLQ state. */
const processedAfterReplay = (id: string, what: string) =>
  pollUntil(
    async () => {
      const inbox = await webhookEventModel(api.deps.mongo).findById(id).lean().exec();
      const dlq = await webhookDlqModel(api.deps.mongo).findById(id).lean().exec();
      return {
        inbox: inbox && { status: inbox.status, attempts: inbox.attempts, error: inbox.lastError },
        dlq: dlq && { status: dlq.status, retries: dlq.retry_count, error: dlq.error_message },
      };
    },
    (state) => state.inbox?.status === 'processed',
    { what, timeoutMs: 15_000 },
  );
const orderStatus = async (id: string) =>
  (await orderModel(api.deps.mongo).findById(id).lean<Order>().exec())?.status;

describe.each(REDIS_DEPLOYMENTS)('on %s', (_deployment, redisEnv) => {
  beforeAll(async () => {
    alertSink = await startAlertSink();
    config = testConfig(
      {
        ...redisEnv(),
        ADMIN_USERNAME: ADMIN.user,
        ADMIN_PASSWORD: ADMIN.password,
        WEBHOOK_RETRY_TIME_SCALE: '0.0005',
        WEBHOOK_SWEEP_INTERVAL_MS: '250',
        ALERT_WEBHOOK_URL: alertSink.url,
        RATE_LIMIT_PUBLIC_PER_MIN: '1000000',
        RATE_LIMIT_ADMIN_PER_MIN: '1000000',
      },
      uniqueName('adm'),
    );
    api = await startCheckedApi(config);
    worker = await startWorker(config);
  });

  afterAll(async () => {
    await Promise.allSettled([api?.close(), worker?.close()]);
    await alertSink?.close();
  });

  describe('admin DLQ', () => {
    const orders: Array<{ order: CheckoutResponse; gatewayOrderId: string; eventId: string }> = [];

    it('when a capture keeps failing, then it is dead after five retries, alerted and listed', async () => {
      // Captures for gateway orders our orders do not carry (as if the order write had been lost):
      // every attempt fails with "no order", retried on the schedule until dead.
      const seeded = await creatorWithAccount();
      for (let i = 0; i < 2; i++) {
        const res = await checkout(api.url, seeded.creator.username, seeded.product.id);
        expect(res.status).toBe(201);
        const gatewayOrderId = `order_${randomBytes(7).toString('hex')}`;
        const eventId = `evt_${randomBytes(7).toString('hex')}`;
        const posted = await postWebhook(
          api.url,
          seeded.creator.id,
          capturedEvent(gatewayOrderId, seeded.product.price),
          { secret: seeded.keys.webhookSecret, eventId },
        );
        expect(posted.status).toBe(200);
        orders.push({ order: res.body, gatewayOrderId, eventId });
      }
      for (const { eventId } of orders) {
        await eventually(async () => (await inboxStatus(eventId)) === 'dead', {
          what: `${eventId} dead`,
          timeoutMs: 15_000,
        });
      }
      const [first] = orders as [(typeof orders)[number]];

      const list = await admin<ListJson>('GET', '?status=dead&event_type=payment.captured');
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(2);
      // Newest first.
      expect(list.body.items.map((e) => e._id)).toEqual(orders.map((o) => o.eventId).reverse());
      const entry = list.body.items.find((e) => e._id === first.eventId);
      expect(entry).toMatchObject({
        status: 'dead',
        retry_count: 5,
        event_type: 'payment.captured',
        permanent: false,
      });
      expect(entry?.error_message).toMatch(/no order for gateway order/);
      expect(entry?.webhook_payload).toBeUndefined(); // lists leave out buyer details

      const detail = await admin<EntryJson>('GET', `/${first.eventId}`);
      expect(detail.body.webhook_payload?.payload.payment.entity.order_id).toBe(
        first.gatewayOrderId,
      );
      expect(JSON.stringify(detail.body.webhook_payload)).not.toMatch(/"last4"/); // card removed at ingest

      await eventually(
        () =>
          Promise.resolve(
            alertSink.received.find(
              (a) => (a.details as { eventId?: string }).eventId === first.eventId,
            ),
          ),
        { what: 'alert POST', timeoutMs: 15_000 },
      );
      expect(await orderStatus(first.order.orderId)).toBe('pending');
    }, 30_000);

    it('when the cause is fixed and an entry is replayed, then it applies and leaves the DLQ; bulk replay takes the rest', async () => {
      const [first, second] = orders as [(typeof orders)[number], (typeof orders)[number]];
      for (const o of orders) {
        await orderModel(api.deps.mongo).updateOne(
          { _id: o.order.orderId },
          { $set: { gatewayOrderId: o.gatewayOrderId } },
        );
      }
      const replay = await admin('POST', `/${first.eventId}/replay`);
      expect(replay).toMatchObject({
        status: 202,
        body: { id: first.eventId, status: 'pending', retry_count: 0 },
      });
      await processedAfterReplay(first.eventId, 'replayed event processed');
      await eventually(
        async () =>
          (await webhookDlqModel(api.deps.mongo).findById(first.eventId).lean().exec()) === null,
        { what: 'DLQ entry removed', timeoutMs: 15_000 },
      );
      expect(await orderStatus(first.order.orderId)).toBe('paid');

      const bulk = await admin('POST', '/replay', {
        status: 'dead',
        event_type: 'payment.captured',
      });
      expect(bulk).toEqual({ status: 202, body: { count: 1 } });
      await processedAfterReplay(second.eventId, 'bulk-replayed event processed');
      expect(await orderStatus(second.order.orderId)).toBe('paid');
      expect((await admin<ListJson>('GET', '?status=dead')).body.total).toBe(0);
    }, 20_000);

    it('when an operator discards a dead entry, then it stays discarded with its reason and is not retried', async () => {
      const seeded = await creatorWithAccount();
      const eventId = `evt_${randomBytes(7).toString('hex')}`;
      // A capture for a gateway order we never created: retried, then dead.
      const posted = await postWebhook(
        api.url,
        seeded.creator.id,
        capturedEvent(`order_${randomBytes(7).toString('hex')}`, 49_900),
        {
          secret: seeded.keys.webhookSecret,
          eventId,
        },
      );
      expect(posted.status).toBe(200);
      await eventually(async () => (await inboxStatus(eventId)) === 'dead', {
        what: 'unknown-order event dead',
        timeoutMs: 15_000,
      });
      expect((await admin<EntryJson>('GET', `/${eventId}`)).body.error_message).toMatch(
        /no order for gateway order/,
      );

      expect((await admin('POST', `/${eventId}/discard`, {})).status).toBe(400);
      const discarded = await admin('POST', `/${eventId}/discard`, {
        reason: 'test payment from the Razorpay dashboard',
      });
      expect(discarded).toMatchObject({ status: 200, body: { id: eventId, status: 'discarded' } });
      expect((await admin('POST', `/${eventId}/discard`, { reason: 'again' })).status).toBe(409);
      expect((await admin('GET', `/${eventId}`)).body).toMatchObject({
        status: 'discarded',
        discard_reason: 'test payment from the Razorpay dashboard',
      });
      expect(await inboxStatus(eventId)).toBe('dead');
      expect((await admin('POST', '/replay', { status: 'dead' })).body.count).toBe(0);

      const listed = await admin<ListJson>('GET', '?status=discarded&limit=1&page=1');
      expect(listed.body).toMatchObject({ total: 1, page: 1, limit: 1 });
      expect(listed.body.items[0]?._id).toBe(eventId);
    }, 20_000);

    it('when an entry does not exist or the id is malformed, then 404 / 400', async () => {
      expect((await admin('POST', '/evt_nope/replay')).status).toBe(404);
      expect((await admin('GET', '/evt_nope')).status).toBe(404);
      expect((await admin('POST', `/${encodeURIComponent('bad id!')}/replay`)).status).toBe(400);
    });
  });
});
