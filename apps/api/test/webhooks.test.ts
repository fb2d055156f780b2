import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedisServer, withDatabase } from '@storefront/devstack';
import { uniqueName } from '@storefront/devstack/test-harness';
import {
  createLogger,
  createQueueRedis,
  QUEUES,
  redisTargetFromConfig,
  webhookEventModel,
  webhookJobId,
  type Redis,
  type WebhookEvent,
} from '@storefront/shared';
import {
  capturedEvent,
  checkout,
  createCreatorWithProduct,
  metricValue,
  payInSandbox,
  type PaymentsTestApi,
  postWebhook,
  signWebhook,
  startPaymentsApi,
  failCommand,
  failCommandOff,
} from '@storefront/test-support';

let t: PaymentsTestApi;
let queueRedis: Redis;
let queue: Queue;

// The API's MongoDB connection carries this app name, so the failpoint below hits only its
// commands, on the in-repo server and on a real mongod alike.
const appName = uniqueName('wh');

beforeAll(async () => {
  const dbUrl = withDatabase(inject('mongoUrl'), appName);
  t = await startPaymentsApi({
    WEBHOOK_MAX_BODY_BYTES: String(64 * 1024),
    MONGO_URL: `${dbUrl}${dbUrl.includes('?') ? '&' : '?'}appName=${appName}`,
  });
  queueRedis = createQueueRedis(
    redisTargetFromConfig(t.config),
    createLogger({ level: 'silent', service: 'test' }),
  );
  queue = new Queue(QUEUES.webhooks, { connection: queueRedis, prefix: t.config.QUEUE_PREFIX });
});
afterAll(async () => {
  await queue?.close();
  await queueRedis?.quit();
  await t?.api.close();
});

const eventId = () => `evt_${randomBytes(7).toString('hex')}`;
const inbox = () => webhookEventModel(t.api.deps.mongo);
const inboxDoc = (id: string) => inbox().findById(id).lean<WebhookEvent>();
const job = (id: string) => queue.getJob(webhookJobId(id));
/** The API's next insert into the inbox fails (MongoDB error 91, shutdown in progress). */
const failNextInboxInsert = () =>
  failCommand(t.api.deps.mongo, {
    commands: ['insert'],
    collection: 'webhook_events',
    mode: { times: 1 },
    errorCode: 91,
    appName,
  });
const received = async (result: string) =>
  metricValue(await t.api.deps.metrics.metrics(), 'webhooks_received_total', { result });

describe('POST /api/v1/webhooks/razorpay/:account', () => {
  it('when the signature is valid, then the sanitized event is stored and one job is queued', async () => {
    const id = eventId();
    const before = await received('accepted');
    const res = await postWebhook(t.api.url, 'platform', capturedEvent('order_abc', 49_900), {
      secret: t.platform.webhookSecret,
      eventId: id,
    });

    expect(res).toEqual({ status: 200, body: { status: 'accepted' } });
    const doc = await inboxDoc(id);
    expect(doc).toMatchObject({
      _id: id,
      account: 'platform',
      event: 'payment.captured',
      status: 'received',
      attempts: 0,
      payload: {
        event: 'payment.captured',
        payload: {
          payment: { entity: { order_id: 'order_abc', amount: 49_900, status: 'captured' } },
        },
      },
    });
    expect(doc?.receivedAt).toBeInstanceOf(Date);
    const stored = JSON.stringify(doc);
    for (const cardDetail of ['card_test', '1111', 'Visa', 'buyer@example.test', '+919000090000']) {
      expect(stored).not.toContain(cardDetail);
    }
    const queued = await job(id);
    expect(queued?.data).toEqual({ eventId: id });
    expect(await received('accepted')).toBe(before + 1);
  });

  it('when the signature is wrong, missing or made with another secret, then 400 and nothing is stored', async () => {
    const body = capturedEvent('order_bad', 100);
    const cases = [
      { secret: 'not-the-secret' },
      { secret: t.platform.webhookSecret, signature: null },
      { secret: t.platform.webhookSecret, signature: 'f'.repeat(64) },
      { secret: t.platform.webhookSecret, signature: 'not hex' },
    ];
    const before = await received('bad_signature');
    for (const c of cases) {
      const id = eventId();
      const res = await postWebhook(t.api.url, 'platform', body, { ...c, eventId: id });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
      expect(await inboxDoc(id)).toBeNull();
      expect(await job(id)).toBeUndefined();
    }
    expect(await received('bad_signature')).toBe(before + cases.length);
  });

  it('when the body was altered after signing, then 400', async () => {
    const id = eventId();
    const raw = JSON.stringify(capturedEvent('order_x', 100));
    const res = await fetch(`${t.api.url}/api/v1/webhooks/razorpay/platform`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-razorpay-event-id': id,
        'x-razorpay-signature': signWebhook(raw, t.platform.webhookSecret),
      },
      body: raw.replace('"amount":100', '"amount":1'),
    });
    expect(res.status).toBe(400);
    expect(await inboxDoc(id)).toBeNull();
  });

  it('when the same event arrives three times (also at once), then one inbox document and one job', async () => {
    const id = eventId();
    const body = capturedEvent('order_dup', 100);
    const opts = { secret: t.platform.webhookSecret, eventId: id };
    const first = await postWebhook(t.api.url, 'platform', body, opts);
    const rest = await Promise.all([
      postWebhook(t.api.url, 'platform', body, opts),
      postWebhook(t.api.url, 'platform', body, opts),
    ]);
    expect(first.body).toEqual({ status: 'accepted' });
    expect(rest).toEqual([
      { status: 200, body: { status: 'duplicate' } },
      { status: 200, body: { status: 'duplicate' } },
    ]);
    expect(await inbox().countDocuments({ _id: id })).toBe(1);
    const jobs = (
      (await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])) as Array<{
        data: { eventId?: string };
      }>
    ).filter((j) => j.data.eventId === id);
    expect(jobs).toHaveLength(1);
  });

  it('when three copies race in parallel, then exactly one is accepted', async () => {
    const id = eventId();
    const body = capturedEvent('order_race', 100);
    const opts = { secret: t.platform.webhookSecret, eventId: id };
    const results = await Promise.all(
      [1, 2, 3].map(() => postWebhook(t.api.url, 'platform', body, opts)),
    );
    expect(results.map((r) => r.body.status).sort()).toEqual([
      'accepted',
      'duplicate',
      'duplicate',
    ]);
    expect(await inbox().countDocuments({ _id: id })).toBe(1);
  });

  it('when the body is not JSON, not an event, or the event id is missing, then 400 and nothing is stored', async () => {
    const secret = t.platform.webhookSecret;
    const bad = [
      { body: '{"event":', eventId: eventId() },
      { body: '[1,2,3]', eventId: eventId() },
      { body: '{"entity":"event"}', eventId: eventId() },
      { body: JSON.stringify(capturedEvent('o', 100)), eventId: undefined },
      { body: JSON.stringify(capturedEvent('o', 100)), eventId: 'has spaces and/slashes' },
    ];
    const before = await received('invalid');
    for (const c of bad) {
      const res = await postWebhook(t.api.url, 'platform', c.body, { secret, eventId: c.eventId });
      expect(res.status, c.body).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
      if (c.eventId) expect(await inboxDoc(c.eventId)).toBeNull();
    }
    expect(await received('invalid')).toBe(before + bad.length);
  });

  it('when the body exceeds WEBHOOK_MAX_BODY_BYTES, then 413 and nothing is stored', async () => {
    const id = eventId();
    const body = { ...capturedEvent('o', 100), padding: 'x'.repeat(70 * 1024) };
    const res = await postWebhook(t.api.url, 'platform', body, {
      secret: t.platform.webhookSecret,
      eventId: id,
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(await inboxDoc(id)).toBeNull();
  });

  it('when the account in the path is neither platform nor a creator id, then 404', async () => {
    const res = await postWebhook(t.api.url, 'someone', capturedEvent('o', 100), {
      secret: t.platform.webhookSecret,
      eventId: eventId(),
    });
    expect(res.status).toBe(404);
  });

  it('when a creator’s account sends a webhook, then it verifies with that creator’s secret only', async () => {
    const { creator, keys } = await t.createConnectedCreator();
    const body = capturedEvent('order_creator', 100);
    const wrong = await postWebhook(t.api.url, creator.id, body, {
      secret: t.platform.webhookSecret,
      eventId: eventId(),
    });
    expect(wrong.status).toBe(400);

    const id = eventId();
    const right = await postWebhook(t.api.url, creator.id, body, {
      secret: keys.webhookSecret,
      eventId: id,
    });
    expect(right.status).toBe(200);
    expect((await inboxDoc(id))?.account).toBe(creator.id);
  });

  it('when a creator without their own account receives a webhook, then the platform secret applies', async () => {
    const { creator } = await createCreatorWithProduct(t.api.deps.mongo);
    const id = eventId();
    const res = await postWebhook(t.api.url, creator.id, capturedEvent('o', 100), {
      secret: t.platform.webhookSecret,
      eventId: id,
    });
    expect(res.status).toBe(200);
    expect((await inboxDoc(id))?.account).toBe('platform');
  });

  it('when the sandbox delivers a captured payment three times shuffled, then three events are stored once each', async () => {
    const { creator, product, keys } = await t.createConnectedCreator();
    const co = await checkout(t.api.url, creator.username, product.id);
    expect(co.status).toBe(201);
    const result = await payInSandbox(t.razorpayUrl, co.body.razorpay.orderId, {
      status: 'captured',
      deliver: { times: 3, shuffle: true },
    });

    expect(result.deliveries).toHaveLength(9);
    expect(result.deliveries.every((d) => d.status === 'delivered' && d.statusCode === 200)).toBe(
      true,
    );
    const docs = await inbox()
      .find({ _id: { $in: [...new Set(result.deliveries.map((d) => d.eventId))] } })
      .lean<WebhookEvent[]>();
    expect(docs.map((d) => d.event).sort()).toEqual([
      'order.paid',
      'payment.authorized',
      'payment.captured',
    ]);
    expect(docs.every((d) => d.account === creator.id)).toBe(true);
    expect(JSON.stringify(docs)).not.toMatch(/"card":|last4|"card_id"/);
    for (const d of docs) expect(await job(d._id)).toBeDefined();
    expect(keys.keyId).toMatch(/^rzp_test_/);
  });

  it('when MongoDB fails the insert, then 503 so Razorpay retries, and the retry is accepted', async () => {
    const id = eventId();
    const body = capturedEvent('order_mongo', 100);
    const opts = { secret: t.platform.webhookSecret, eventId: id };
    await failNextInboxInsert();
    const before = await received('unavailable');
    try {
      const res = await postWebhook(t.api.url, 'platform', body, opts);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
      expect(await inboxDoc(id)).toBeNull();
    } finally {
      await failCommandOff(t.api.deps.mongo);
    }
    expect(await received('unavailable')).toBe(before + 1);
    const retry = await postWebhook(t.api.url, 'platform', body, opts);
    expect(retry.body).toEqual({ status: 'accepted' });
  });

  it('when a copy arrives after its event was stored, then it is verified and answered duplicate without asking MongoDB', async () => {
    const id = eventId();
    const body = capturedEvent('order_copy', 100);
    const opts = { secret: t.platform.webhookSecret, eventId: id };
    expect((await postWebhook(t.api.url, 'platform', body, opts)).body).toEqual({
      status: 'accepted',
    });
    // The next inbox insert fails. The copy must not be the one that meets it.
    await failNextInboxInsert();
    const duplicates = await received('duplicate');
    try {
      const copy = await postWebhook(t.api.url, 'platform', body, opts);
      expect(copy).toEqual({ status: 200, body: { status: 'duplicate' } });
      expect(await received('duplicate')).toBe(duplicates + 1);
      // Signed with another secret, the copy is still refused: the memory answers verified copies only.
      const forged = await postWebhook(t.api.url, 'platform', body, {
        secret: 'not-the-secret',
        eventId: id,
      });
      expect(forged.status).toBe(400);
      // The failpoint is still armed: the copy made no insert. A new event meets it.
      const next = await postWebhook(t.api.url, 'platform', capturedEvent('order_next', 100), {
        secret: t.platform.webhookSecret,
        eventId: eventId(),
      });
      expect(next.status).toBe(503);
    } finally {
      await failCommandOff(t.api.deps.mongo);
    }
    expect(await inbox().countDocuments({ _id: id })).toBe(1);
  });
});

describe('webhooks while Redis is down', () => {
  it('when Redis is stopped, then the webhook is still acknowledged and kept in the inbox', async () => {
    const redis = await startRedisServer();
    let own: PaymentsTestApi | undefined;
    try {
      own = await startPaymentsApi({ REDIS_URL: redis.url });
      await redis.stop();
      const id = eventId();
      const started = Date.now();
      const res = await postWebhook(own.api.url, 'platform', capturedEvent('order_redis', 100), {
        secret: own.platform.webhookSecret,
        eventId: id,
      });
      expect(res).toEqual({ status: 200, body: { status: 'accepted' } });
      expect(Date.now() - started).toBeLessThan(3_000);
      const doc = await webhookEventModel(own.api.deps.mongo).findById(id).lean<WebhookEvent>();
      expect(doc?.status).toBe('received');
      const failures = own.api.deps.metrics.getSingleMetric('webhook_enqueue_failures_total');
      expect((await failures?.get())?.values[0]?.value).toBe(1);
    } finally {
      await own?.api.close();
      await redis.stop();
    }
  });
});
