import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  orderModel,
  webhookDlqModel,
  webhookEventModel,
  webhookJobId,
  type Order,
} from '@storefront/shared';
import {
  buy,
  capturedEvent,
  eventually,
  metricValue,
  postWebhook,
  scrape,
  sellingCreator,
  type Stack,
  startAlertSink,
  startStack,
} from '@storefront/test-support';
import { eventBody, receiveEvent, seedOrder } from './helpers/fixtures.ts';

// Whatever id Razorpay's header carries, an accepted event is processed or shows up dead in the
// DLQ: it is never stuck, re-tried by the sweeper forever with only a log line to show for it.

let stack: Stack;
let sink: Awaited<ReturnType<typeof startAlertSink>>;

beforeAll(async () => {
  sink = await startAlertSink();
  stack = await startStack({ ALERT_WEBHOOK_URL: sink.url });
});
afterAll(async () => {
  await stack?.close();
  await sink?.close();
});

describe('event ids BullMQ cannot take as job ids', () => {
  it('when an event id contains ":", then the event is accepted, queued and applied', async () => {
    const seeded = await sellingCreator(stack);
    const order = await buy(stack.api.url, seeded);
    const eventId = `evt:${Date.now()}`; // one colon: BullMQ refuses it as a job id
    const res = await postWebhook(
      stack.api.url,
      seeded.creator.id,
      capturedEvent(order.razorpay.orderId, seeded.product.price),
      { secret: seeded.keys.webhookSecret, eventId },
    );
    expect(res.status).toBe(200);
    const mongo = stack.api.deps.mongo;
    const paid = await eventually(
      async () => {
        const o = await orderModel(mongo).findById(order.orderId).lean<Order>().exec();
        return o?.status === 'paid' ? o : null;
      },
      { what: 'order paid' },
    );
    expect(paid.status).toBe('paid');
    // The inbox is marked processed right after the order transition.
    await eventually(
      async () =>
        (await webhookEventModel(mongo).findById(eventId).lean().exec())?.status === 'processed',
      { what: 'inbox event processed' },
    );
    expect(webhookJobId(eventId)).not.toContain(':');
    expect(webhookJobId('evt_ABC123')).toBe('webhook-evt_ABC123'); // queued ids keep their id
  });

  it('when one inbox event cannot be queued while Redis answers, then it goes dead into the DLQ with an alert and a metric, and the others are still queued', async () => {
    const mongo = stack.api.deps.mongo;
    const producers = stack.worker.deps.producers;
    const { order } = await seedOrder(mongo);
    const old = new Date(Date.now() - 60_000);
    const stuck = `evt_stuck${Date.now()}`;
    // The job's hash key holds a value of the wrong type: BullMQ fails on this job only.
    const queueRedis = stack.worker.deps.queueRedis;
    await queueRedis.set(producers.webhooks.toKey(webhookJobId(stuck)), 'not a job hash');
    const before = await scrape(stack.worker.url);
    await receiveEvent(mongo, null, eventBody('payment.captured', order), {
      eventId: stuck,
      receivedAt: old,
    });
    const { order: other } = await seedOrder(mongo);
    const fine = await receiveEvent(mongo, null, eventBody('payment.captured', other), {
      receivedAt: old,
    });

    const entry = await eventually(
      async () => {
        const e = await webhookDlqModel(mongo).findById(stuck).lean().exec();
        return e?.status === 'dead' ? e : null;
      },
      { what: 'DLQ entry dead' },
    );
    expect(entry.error_message).toMatch(/could not be queued/);
    expect(entry.permanent).toBe(true);
    // The inbox says dead after the alert went out (at-least-once alerts).
    await eventually(
      async () => (await webhookEventModel(mongo).findById(stuck).lean().exec())?.status === 'dead',
      { what: 'inbox event dead' },
    );
    await eventually(
      async () =>
        (await webhookEventModel(mongo).findById(fine).lean().exec())?.status === 'processed',
      { what: 'the other event processed' },
    );
    const after = await scrape(stack.worker.url);
    expect(
      metricValue(after, 'sweeper_unqueueable_total', { kind: 'inbox' }) -
        metricValue(before, 'sweeper_unqueueable_total', { kind: 'inbox' }),
    ).toBe(1);
    expect(metricValue(after, 'events_dead_total') - metricValue(before, 'events_dead_total')).toBe(
      1,
    );
    const alert = await eventually(
      () => Promise.resolve(sink.received.find((a) => JSON.stringify(a).includes(stuck)) ?? null),
      { what: 'alert posted' },
    );
    expect(JSON.stringify(alert)).toContain('could not be queued');
  });
});
