import type { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_DEPLOYMENTS } from '@storefront/devstack/test-harness';
import {
  deliveryJobId,
  deliveryModel,
  ensureWebhookJob,
  orderModel,
  transactionModel,
  webhookDlqModel,
  webhookEventModel,
  type Order,
  type Transaction,
} from '@storefront/shared';
import {
  eventually,
  metricValue,
  scrape,
  startAlertSink,
  startWorkerWorld,
  type WorkerWorld,
} from '@storefront/test-support';
import {
  deliveredOrder,
  eventBody,
  gatewayId,
  receiveEvent,
  seedOrder,
} from './helpers/fixtures.ts';

// The worker as production runs it (startWorker), fed the way the API feeds it: an inbox event in
// MongoDB plus a job in Redis. Retries run on a 1/2000 time scale (15 ms, 30 ms, 150 ms, 0.9 s,
// 1.8 s). Failures injected into MongoDB itself are in webhook-retries.test.ts. Everything runs on
// the one-node redis-server and again on the run's Redis Cluster.

describe.each(REDIS_DEPLOYMENTS)('on %s', (_deployment, redisEnv) => {
  const SCALE = 0.0005;
  let world: WorkerWorld;
  let sink: Awaited<ReturnType<typeof startAlertSink>>;

  beforeAll(async () => {
    sink = await startAlertSink();
    world = await startWorkerWorld({
      ...redisEnv(),
      WEBHOOK_RETRY_TIME_SCALE: String(SCALE),
      WEBHOOK_SWEEP_INTERVAL_MS: '300',
      ALERT_WEBHOOK_URL: sink.url,
      WORKER_CONCURRENCY: '4',
    });
  });

  afterAll(async () => {
    await world?.close();
    await sink?.close();
  });

  const findOrder = (id: Types.ObjectId) =>
    orderModel(world.mongo).findById(id).lean<Order>().exec();
  const inbox = (id: string) => webhookEventModel(world.mongo).findById(id).lean().exec();
  const dlq = (id: string) => webhookDlqModel(world.mongo).findById(id).lean().exec();
  const transactions = (orderId: Types.ObjectId) =>
    transactionModel(world.mongo).find({ orderId }).lean<Transaction[]>().exec();

  async function processed(eventId: string, status = 'processed') {
    return eventually(async () => (await inbox(eventId))?.status === status, {
      what: `${eventId} ${status}`,
    });
  }

  describe('webhook processing', () => {
    it('when payment.captured arrives, then the order is paid, logged and delivered once with the product file', async () => {
      const before = await scrape(world.worker.url);
      const { order, fileKey } = await seedOrder(world.mongo);
      const eventId = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order),
      );
      await processed(eventId);

      const paid = await deliveredOrder(world.mongo, order._id);
      expect(paid.status).toBe('paid');
      expect(paid.delivery?.fileKey).toBe(fileKey);
      const deliveries = await deliveryModel(world.mongo)
        .find({ orderId: order._id })
        .lean()
        .exec();
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]?.fileKey).toBe(fileKey);
      const log = await transactions(order._id);
      expect(log.filter((t) => t.outcome === 'paid')).toHaveLength(1);
      expect(await dlq(eventId)).toBeNull();

      const after = await scrape(world.worker.url);
      // Delivered in place by the capture, without a delivery job. The one way a job may exist
      // is the sweeper's: this world sweeps every 300 ms, for orders paid 300 ms before, so a
      // delivery slower than that (a loaded machine) is queued by the sweeper too, and its job
      // finds the order delivered. A job the sweeper did not queue came from the capture's
      // fallback: the in-place delivery failed.
      const swept =
        metricValue(after, 'sweeper_requeued_total', { kind: 'deliveries' }) -
        metricValue(before, 'sweeper_requeued_total', { kind: 'deliveries' });
      if (swept === 0) {
        expect(
          await world.producers.deliveries.getJob(deliveryJobId(String(order._id))),
        ).toBeFalsy();
      }
      expect(
        metricValue(after, 'deliveries_total', { file: 'present' }) -
          metricValue(before, 'deliveries_total', { file: 'present' }),
      ).toBe(1);
      expect(
        metricValue(after, 'webhooks_processed_total', {
          event: 'payment.captured',
          outcome: 'paid',
        }) -
          metricValue(before, 'webhooks_processed_total', {
            event: 'payment.captured',
            outcome: 'paid',
          }),
      ).toBe(1);
    });

    it('when the same event is processed three times, then it is applied once', async () => {
      const { order } = await seedOrder(world.mongo);
      const eventId = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order),
      );
      await processed(eventId);
      const first = await findOrder(order._id);
      const before = await scrape(world.worker.url);
      // Two more runs of the same event (a re-delivered job, the sweeper re-queueing it).
      for (let i = 0; i < 2; i++) {
        await ensureWebhookJob(world.producers.webhooks, eventId);
        await eventually(async () => {
          const text = await scrape(world.worker.url);
          return (
            metricValue(text, 'webhooks_processed_total', { outcome: 'duplicate' }) -
              metricValue(before, 'webhooks_processed_total', { outcome: 'duplicate' }) >=
            i + 1
          );
        });
      }
      const last = await deliveredOrder(world.mongo, order._id);
      expect(last.paidAt).toEqual(first?.paidAt);
      expect((await transactions(order._id)).filter((t) => t.outcome === 'paid')).toHaveLength(1);
      expect(await deliveryModel(world.mongo).countDocuments({ orderId: order._id })).toBe(1);
    });

    it('when order.paid follows payment.captured and a failure arrives late, then nothing changes twice', async () => {
      const { order } = await seedOrder(world.mongo);
      const paymentId = gatewayId('pay');
      const captured = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order, { paymentId }),
      );
      await processed(captured);
      const orderPaid = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('order.paid', order, { paymentId }),
      );
      const lateFailure = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.failed', order),
      );
      await processed(orderPaid);
      await processed(lateFailure);

      const o = await findOrder(order._id);
      expect(o?.status).toBe('paid');
      expect(o?.paymentId).toBe(paymentId);
      expect(o?.lastPaymentError).toBeUndefined();
      const outcomes = (await transactions(order._id)).map((t) => t.outcome).sort();
      expect(outcomes).toEqual(['already_paid', 'paid', 'payment_failed']);
      await deliveredOrder(world.mongo, order._id);
      expect(await deliveryModel(world.mongo).countDocuments({ orderId: order._id })).toBe(1);
    });

    it('when a payment fails first, then the order stays open with the error and a later capture pays it', async () => {
      const { order } = await seedOrder(world.mongo);
      const failed = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.failed', order),
      );
      await processed(failed);
      const afterFailure = await findOrder(order._id);
      expect(afterFailure?.status).toBe('pending');
      expect(afterFailure?.lastPaymentError?.code).toBe('BAD_REQUEST_ERROR');

      const authorized = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.authorized', order),
      );
      await processed(authorized);
      expect((await findOrder(order._id))?.status).toBe('pending');
      expect((await transactions(order._id)).map((t) => t.outcome)).toContain('authorized');

      const captured = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order),
      );
      await processed(captured);
      expect((await findOrder(order._id))?.status).toBe('paid');
    });

    it('when only order.paid’s notes name our order, then that order is paid', async () => {
      const { order } = await seedOrder(world.mongo, { gatewayOrderId: null });
      const eventId = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('order.paid', order, { gatewayOrderId: gatewayId('order') }),
      );
      await processed(eventId);
      expect((await findOrder(order._id))?.status).toBe('paid');
    });

    it('when an event is of a kind we do not handle, then it is recorded as ignored', async () => {
      const eventId = await receiveEvent(world.mongo, world.producers, {
        entity: 'event',
        event: 'refund.created',
        payload: {},
      });
      await processed(eventId, 'ignored');
    });

    it('when the product has no file yet, then the order is delivered without a file key', async () => {
      const { order } = await seedOrder(world.mongo, { file: false });
      const eventId = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order),
      );
      await processed(eventId);
      const o = await deliveredOrder(world.mongo, order._id);
      expect(o.delivery?.fileKey).toBeUndefined();
    });
  });

  describe('retries and the DLQ', () => {
    it('when the order is not written yet, then the event is retried and applied once it lands', async () => {
      const { order } = await seedOrder(world.mongo);
      const gatewayOrderId = gatewayId('order');
      const eventId = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order, { gatewayOrderId }),
      );
      const entry = await eventually(() => dlq(eventId));
      expect(entry.status).toBe('pending');
      expect(entry.error_message).toMatch(/no order for gateway order/);
      await orderModel(world.mongo).updateOne({ _id: order._id }, { $set: { gatewayOrderId } });
      await processed(eventId);
      expect((await findOrder(order._id))?.status).toBe('paid');
      await eventually(async () => (await dlq(eventId)) === null);
    });

    it('when a payload can never apply, then the event is dead at once', async () => {
      const { order } = await seedOrder(world.mongo);
      const malformed = await receiveEvent(world.mongo, world.producers, {
        event: 'payment.captured',
        payload: { payment: {} },
      });
      const mismatch = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order, { amount: 100 }),
      );
      const foreign = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order),
        {
          account: 'someone-else',
        },
      );
      for (const id of [malformed, mismatch, foreign]) {
        await processed(id, 'dead');
        expect(await dlq(id)).toMatchObject({ status: 'dead', retry_count: 0, permanent: true });
        expect((await inbox(id))?.attempts).toBe(1);
      }
      expect((await findOrder(order._id))?.status).toBe('pending');
    });

    it('when an event goes dead, then an alert is POSTed to ALERT_WEBHOOK_URL and counted', async () => {
      const before = await scrape(world.worker.url);
      const eventId = await receiveEvent(world.mongo, world.producers, {
        event: 'payment.captured',
        payload: {},
      });
      await processed(eventId, 'dead');
      const alert = await eventually(() =>
        Promise.resolve(
          sink.received.find(
            (a) => (a.details as { eventId?: string } | undefined)?.eventId === eventId,
          ),
        ),
      );
      expect(alert).toMatchObject({
        alert: 'webhook_dead',
        severity: 'error',
        details: { permanent: true },
      });
      expect(String(alert.text)).toContain(eventId);
      const after = await scrape(world.worker.url);
      expect(
        metricValue(after, 'events_dead_total') - metricValue(before, 'events_dead_total'),
      ).toBe(1);
      expect(metricValue(after, 'dlq_size', { status: 'dead' })).toBeGreaterThanOrEqual(1);
    });
  });

  describe('sweeper', () => {
    it('when an inbox event has no job (Redis lost it), then the sweeper queues it and it is applied', async () => {
      const { order } = await seedOrder(world.mongo);
      const eventId = await receiveEvent(world.mongo, null, eventBody('payment.captured', order), {
        receivedAt: new Date(Date.now() - 60_000),
      });
      await processed(eventId);
      expect((await findOrder(order._id))?.status).toBe('paid');
    });

    it('when a paid order’s delivery has no job, then the sweeper queues it', async () => {
      const { order } = await seedOrder(world.mongo);
      const queuedAt = new Date(Date.now() - 60_000);
      await orderModel(world.mongo).updateOne(
        { _id: order._id },
        {
          $set: {
            status: 'paid',
            paidAt: queuedAt,
            paymentId: gatewayId('pay'),
            delivery: { status: 'queued', queuedAt },
          },
        },
      );
      await deliveredOrder(world.mongo, order._id);
      expect(await deliveryModel(world.mongo).countDocuments({ orderId: order._id })).toBe(1);
    });
  });
});
