import type { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoServer, withDatabase, type MongoServerHandle } from '@storefront/devstack';
import { REDIS_DEPLOYMENTS, uniqueName } from '@storefront/devstack/test-harness';
import {
  deliveryJobId,
  deliveryModel,
  orderModel,
  webhookDlqModel,
  webhookEventModel,
  webhookJobId,
  type Order,
} from '@storefront/shared';
import {
  failCommand,
  failCommandOff,
  eventually,
  metricValue,
  scrape,
  startAlertSink,
  startWorkerWorld,
  type WorkerWorld,
} from '@storefront/test-support';
import { deliveredOrder, eventBody, receiveEvent, seedOrder } from './helpers/fixtures.ts';

// Retries against MongoDB failing for real (mongod's failCommand failpoint on the order update).
// A failpoint is server-wide and other test files set their own, so this file runs on a MongoDB
// server of its own: the in-repo one, or MONGO_URL when set (then no other file may use
// failpoints at the same time). Retries run on a 1/2000 time scale. On the run's one redis-server,
// and again with the worker on its Redis Cluster.

const SCALE = 0.0005;
let world: WorkerWorld;
let sink: Awaited<ReturnType<typeof startAlertSink>>;
let ownMongo: MongoServerHandle | undefined;
let mongoUrl: string;

beforeAll(async () => {
  sink = await startAlertSink();
  mongoUrl = process.env.MONGO_URL ?? '';
  if (!mongoUrl) {
    ownMongo = await startMongoServer();
    mongoUrl = ownMongo.url;
  }
});

afterAll(async () => {
  await ownMongo?.stop();
  await sink?.close();
});

const findOrder = (id: Types.ObjectId) => orderModel(world.mongo).findById(id).lean<Order>().exec();
const inbox = (id: string) => webhookEventModel(world.mongo).findById(id).lean().exec();
const dlq = (id: string) => webhookDlqModel(world.mongo).findById(id).lean().exec();

async function processed(eventId: string, status = 'processed') {
  return eventually(async () => (await inbox(eventId))?.status === status, {
    what: `${eventId} ${status}`,
  });
}

describe.each(REDIS_DEPLOYMENTS)('on %s', (_deployment, redisEnv) => {
  beforeAll(async () => {
    world = await startWorkerWorld({
      ...redisEnv(),
      MONGO_URL: withDatabase(mongoUrl, uniqueName('retries')),
      WEBHOOK_RETRY_TIME_SCALE: String(SCALE),
      WEBHOOK_SWEEP_INTERVAL_MS: '300',
      ALERT_WEBHOOK_URL: sink.url,
      WORKER_CONCURRENCY: '4',
    });
  });

  afterAll(async () => {
    if (world) await failCommandOff(world.mongo).catch(() => undefined);
    await world?.close();
  });

  describe('retries on MongoDB failures', () => {
    it('when MongoDB fails the order update three times, then it is retried on the schedule and succeeds', async () => {
      const before = await scrape(world.worker.url);
      const { order } = await seedOrder(world.mongo);
      await failCommand(world.mongo, {
        commands: ['findAndModify'],
        collection: 'orders',
        mode: { times: 3 },
      });
      const started = Date.now();
      const eventId = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order),
      );
      // retry_count → scheduled delay, as recorded in the DLQ entry after each failure.
      const seen = new Map<number, number>();
      await eventually(async () => {
        const e = await dlq(eventId);
        if (e?.next_retry_at)
          seen.set(e.retry_count, e.next_retry_at.getTime() - e.updated_at.getTime());
        return (await inbox(eventId))?.status === 'processed';
      });
      const elapsed = Date.now() - started;

      expect((await findOrder(order._id))?.status).toBe('paid');
      expect((await inbox(eventId))?.attempts).toBe(3);
      expect(await dlq(eventId)).toBeNull();
      expect(seen.size).toBeGreaterThan(0);
      const schedule = [30_000, 60_000, 300_000];
      for (const [retryCount, delay] of seen) {
        const expected = (schedule[retryCount] ?? NaN) * SCALE;
        expect(delay).toBeGreaterThanOrEqual(expected - 20);
        expect(delay).toBeLessThanOrEqual(expected + 1);
      }
      // The first three steps of the schedule: (30 + 60 + 300) s × SCALE.
      expect(elapsed).toBeGreaterThanOrEqual(390_000 * SCALE - 10);
      const after = await scrape(world.worker.url);
      expect(
        metricValue(after, 'events_retried_total') - metricValue(before, 'events_retried_total'),
      ).toBe(3);
    });

    it('when the order update always fails, then the event is dead after five retries with an alert', async () => {
      const before = await scrape(world.worker.url);
      const { order } = await seedOrder(world.mongo);
      await failCommand(world.mongo, {
        commands: ['findAndModify'],
        collection: 'orders',
        mode: 'alwaysOn',
      });
      let eventId = '';
      try {
        eventId = await receiveEvent(
          world.mongo,
          world.producers,
          eventBody('payment.captured', order),
        );
        await processed(eventId, 'dead');
      } finally {
        await failCommandOff(world.mongo);
      }
      const entry = await dlq(eventId);
      expect(entry).toMatchObject({
        status: 'dead',
        retry_count: 5,
        event_type: 'payment.captured',
        permanent: false,
      });
      expect(entry?.error_message).toMatch(/failpoint/i);
      expect((await inbox(eventId))?.attempts).toBe(6);
      const alert = await eventually(() =>
        Promise.resolve(
          sink.received.find(
            (a) => (a.details as { eventId?: string } | undefined)?.eventId === eventId,
          ),
        ),
      );
      expect(alert).toMatchObject({ alert: 'webhook_dead', severity: 'error' });
      const after = await scrape(world.worker.url);
      expect(
        metricValue(after, 'events_dead_total') - metricValue(before, 'events_dead_total'),
      ).toBe(1);
      expect(metricValue(after, 'dlq_size', { status: 'dead' })).toBeGreaterThanOrEqual(1);
      expect((await findOrder(order._id))?.status).toBe('pending');
    }, 20_000);

    it('when a pending DLQ event is re-queued, then it keeps its retry count and dies after five retries in total', async () => {
      const { order } = await seedOrder(world.mongo);
      const body = eventBody('payment.captured', order);
      // Three retries already happened (four failed attempts) before Redis lost the job.
      const eventId = await receiveEvent(world.mongo, null, body, {
        receivedAt: new Date(Date.now() - 60_000),
      });
      await webhookEventModel(world.mongo).updateOne(
        { _id: eventId },
        { $set: { status: 'failed', attempts: 4 } },
      );
      const now = new Date();
      await webhookDlqModel(world.mongo).create({
        _id: eventId,
        event_id: eventId,
        account: 'platform',
        event_type: 'payment.captured',
        webhook_payload: body,
        retry_count: 3,
        next_retry_at: new Date(now.getTime() - 1_000),
        error_message: 'earlier failure',
        status: 'pending',
        permanent: false,
        created_at: now,
        updated_at: now,
        replay_count: 0,
      });
      await failCommand(world.mongo, {
        commands: ['findAndModify'],
        collection: 'orders',
        mode: 'alwaysOn',
      });
      try {
        await processed(eventId, 'dead');
      } finally {
        await failCommandOff(world.mongo);
      }
      expect((await inbox(eventId))?.attempts).toBe(6);
      expect(await dlq(eventId)).toMatchObject({ status: 'dead', retry_count: 5 });
    }, 20_000);
  });

  it('when the in-place delivery fails, then the capture still succeeds and the deliveries worker delivers the order once', async () => {
    const { order, fileKey } = await seedOrder(world.mongo);
    // The delivery record's upsert is the in-place delivery's first write.
    await failCommand(world.mongo, {
      commands: ['update'],
      collection: 'deliveries',
      mode: { times: 1 },
    });
    try {
      const eventId = await receiveEvent(
        world.mongo,
        world.producers,
        eventBody('payment.captured', order),
      );
      await processed(eventId);
      const delivered = await deliveredOrder(world.mongo, order._id);
      expect(delivered.delivery?.fileKey).toBe(fileKey);
      // Applied on the first attempt: the failed delivery did not fail the webhook.
      expect((await inbox(eventId))?.attempts ?? 0).toBe(0);
      expect(await dlq(eventId)).toBeNull();
      const job = await world.producers.deliveries.getJob(deliveryJobId(String(order._id)));
      expect(job?.finishedOn).toBeGreaterThan(0);
      expect(await deliveryModel(world.mongo).countDocuments({ orderId: order._id })).toBe(1);
    } finally {
      await failCommandOff(world.mongo);
    }
  });
});

describe('shutdown', () => {
  it('when the worker is closed while a job runs, then the job finishes before close resolves', async () => {
    const other = await startWorkerWorld({
      MONGO_URL: withDatabase(mongoUrl, uniqueName('drain')),
    });
    try {
      const { order } = await seedOrder(other.mongo);
      const db = other.mongo.db;
      if (!db) throw new Error('not connected');
      // The order update takes 800 ms, so the job is still active when close() is called.
      await db.admin().command({
        configureFailPoint: 'failCommand',
        mode: { times: 1 },
        data: {
          failCommands: ['findAndModify'],
          namespace: `${db.databaseName}.orders`,
          blockConnection: true,
          blockTimeMS: 800,
        },
      });
      const eventId = await receiveEvent(
        other.mongo,
        other.producers,
        eventBody('payment.captured', order),
      );
      await eventually(
        async () =>
          (await other.producers.webhooks.getJobState(webhookJobId(eventId))) === 'active',
        { what: 'job active' },
      );
      await other.worker.close();
      expect((await orderModel(other.mongo).findById(order._id).lean<Order>().exec())?.status).toBe(
        'paid',
      );
      expect((await webhookEventModel(other.mongo).findById(eventId).lean().exec())?.status).toBe(
        'processed',
      );
    } finally {
      await other.close();
    }
  });
});
