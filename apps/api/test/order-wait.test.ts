import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderModel, publishOrderNotices } from '@storefront/shared';
import {
  checkout,
  createCreatorWithProduct,
  delayCommand,
  eventually,
  failCommandOff,
  metricValue,
  type PaymentsTestApi,
  startPaymentsApi,
} from '@storefront/test-support';

// `GET /api/v1/orders/:id?wait=N`: a read of an order without its download waits for the worker's
// delivery notice (published on the API's Redis bus) or for N seconds. The notices here are
// published as the worker publishes them (publishOrderNotices), over a real Redis.

async function newOrder(t: PaymentsTestApi) {
  const { creator, product } = await createCreatorWithProduct(t.api.deps.mongo, {
    title: 'Tape loops',
  });
  const res = await checkout(t.api.url, creator.username, product.id);
  expect(res.status).toBe(201);
  return res.body;
}

function read(
  t: PaymentsTestApi,
  orderId: string,
  token: string,
  query: string,
  signal?: AbortSignal,
) {
  return fetch(`${t.api.url}/api/v1/orders/${orderId}?${query}`, {
    headers: { authorization: `Bearer ${token}` },
    ...(signal ? { signal } : {}),
  });
}

async function markDelivered(t: PaymentsTestApi, orderId: string): Promise<void> {
  await orderModel(t.api.deps.mongo).updateOne(
    { _id: new Types.ObjectId(orderId) },
    {
      $set: {
        status: 'paid',
        paidAt: new Date(),
        delivery: { status: 'delivered', deliveredAt: new Date(), fileKey: 'products/x/f.pdf' },
      },
    },
  );
}

/** This API's count of a metric (by label), from its own /metrics text. */
async function counted(
  t: PaymentsTestApi,
  name: 'order_status_waits_total' | 'order_delivery_notices_missed_total',
  labels: Record<string, string> = {},
): Promise<number> {
  return metricValue(await t.api.deps.metrics.metrics(), name, labels);
}

/** Waits that ended with `outcome` so far. */
function ended(t: PaymentsTestApi, outcome: string): Promise<number> {
  return counted(t, 'order_status_waits_total', { outcome });
}

async function untilWaiting(t: PaymentsTestApi, n: number): Promise<void> {
  await eventually(() => t.api.services.orderWaits.size === n, {
    what: `${n} waiting status reads`,
  });
}

/**
 * Reads a new order with `?wait=N`, marks it delivered once the read waits, then runs `then`;
 * returns the answer and how the wait ended. The read registers its wait before its first look at
 * the order, so on a busy machine the delivery can beat that look (seen once under a full suite):
 * the read then rightly answers at once (`answered`) and proves nothing about waiting, so the
 * attempt is repeated with another order, up to three times.
 */
async function deliveredWhileWaiting(
  t: PaymentsTestApi,
  waitSeconds: number,
  then: (orderId: string) => Promise<unknown>,
): Promise<{ res: Response; outcome: string }> {
  const outcomes = ['answered', 'notified', 'timeout'];
  for (let attempt = 1; ; attempt++) {
    const order = await newOrder(t);
    const before = await Promise.all(outcomes.map((o) => ended(t, o)));
    const answer = read(t, order.orderId, order.accessToken, `wait=${waitSeconds}`);
    await untilWaiting(t, 1);
    await markDelivered(t, order.orderId);
    await then(order.orderId);
    const res = await answer;
    const after = await Promise.all(outcomes.map((o) => ended(t, o)));
    const outcome = outcomes.find((_, i) => after[i] !== before[i]) ?? 'none';
    if (outcome !== 'answered' || attempt === 3) return { res, outcome };
    await res.body?.cancel();
  }
}

describe('GET /api/v1/orders/:id?wait=', () => {
  let t: PaymentsTestApi;
  beforeAll(async () => {
    t = await startPaymentsApi();
    // Notices are heard once the bus's subscription is live.
    expect(await t.api.services.storeCache.whenReady()).toBe(true);
  });
  afterAll(async () => {
    await t?.api.close();
  });

  it('when the delivery is announced while the read waits, then it answers with the download at once', async () => {
    const { res, outcome } = await deliveredWhileWaiting(t, 25, (orderId) =>
      // Another order's notice in the same message, as the worker batches them.
      publishOrderNotices(t.api.deps.redis, t.config.REDIS_KEY_PREFIX, [
        String(new Types.ObjectId()),
        orderId,
      ]),
    );
    expect(outcome).toBe('notified');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { status: string; download: { url: string } | null };
    expect(body.status).toBe('paid');
    expect(body.download?.url).toContain('products/x/f.pdf');
    expect(t.api.services.orderWaits.size).toBe(0);
  });

  it('when nothing is announced, then it answers with the order as it stands once the wait is over', async () => {
    const order = await newOrder(t);
    const before = await ended(t, 'timeout');
    const started = performance.now();
    const res = await read(t, order.orderId, order.accessToken, 'wait=1');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('pending');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect((await ended(t, 'timeout')) - before).toBe(1);
  });

  it('when the order is delivered during the wait but no notice comes, then the read answers with the download when the wait is over and counts the missed notice', async () => {
    const missed = () => counted(t, 'order_delivery_notices_missed_total');
    const before = await missed();
    // 3 s leaves room for a MongoDB write on a busy machine (1 s was once too short with the
    // suite running three files at a time); no notice is published.
    const { res, outcome } = await deliveredWhileWaiting(t, 3, () => Promise.resolve());
    expect(outcome).toBe('timeout');
    const body = (await res.json()) as { status: string; download: unknown };
    expect(body.status).toBe('paid');
    expect(body.download).not.toBeNull();
    expect((await missed()) - before).toBe(1);
  });

  it('when the order already has its download, or the token is wrong, then it answers without waiting', async () => {
    const order = await newOrder(t);
    await markDelivered(t, order.orderId);
    const before = await ended(t, 'answered');

    // Each would take 25 s if it waited (the test's own timeout is shorter).
    const settled = await read(t, order.orderId, order.accessToken, 'wait=25');
    expect(((await settled.json()) as { status: string }).status).toBe('paid');
    const wrong = await read(t, order.orderId, 'a-wrong-token-of-sufficient-length', 'wait=25');
    expect(wrong.status).toBe(404);
    expect(await wrong.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'Order not found' },
    });

    expect((await ended(t, 'answered')) - before).toBe(2);
    expect(t.api.services.orderWaits.size).toBe(0);
  });

  /**
   * Starts a 25 s read of a new order (after `beforeRead`, if given), leaves once it waits, and
   * checks that its wait ended with the client, counted as aborted.
   */
  async function leaveWaitingRead(beforeRead?: () => Promise<void>): Promise<void> {
    const order = await newOrder(t);
    const before = await ended(t, 'aborted');
    await beforeRead?.();
    const abort = new AbortController();
    const answer = read(t, order.orderId, order.accessToken, 'wait=25', abort.signal);
    await untilWaiting(t, 1);
    abort.abort();
    await expect(answer).rejects.toThrow();
    await untilWaiting(t, 0);
    expect((await ended(t, 'aborted')) - before).toBe(1);
  }

  it('when the client goes away while it waits, then the wait ends with it', async () => {
    await leaveWaitingRead();
  });

  it('when the client goes away while its order is still being read, then the wait ends with it', async () => {
    // The wait begins before the read (a notice during the read must not be missed), so a client
    // can leave before the read returns: its wait must end then, not after its 25 s.
    try {
      await leaveWaitingRead(() =>
        delayCommand(t.api.deps.mongo, {
          commands: ['find'],
          collection: 'orders',
          mode: { times: 1 },
          ms: 1_500,
        }),
      );
    } finally {
      await failCommandOff(t.api.deps.mongo);
    }
  });

  it.each(['wait=26', 'wait=abc', 'wait=-1', 'wait=1.5', 'wait=100'])(
    'when the wait is not a whole number of seconds from 0 to 25 (%s), then 400 and nothing waits',
    async (query) => {
      const order = await newOrder(t);
      const res = await read(t, order.orderId, order.accessToken, query);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: unknown } };
      expect(body.error.code).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(body.error.details)).toContain('wait');
      expect(t.api.services.orderWaits.size).toBe(0);
    },
  );

  it('when the wait is 0 or absent, then it answers at once', async () => {
    const order = await newOrder(t);
    for (const query of ['wait=0', '']) {
      const res = await read(t, order.orderId, order.accessToken, query);
      expect(((await res.json()) as { status: string }).status).toBe('pending');
    }
  });
});

describe('waiting status reads at the limit and while draining', () => {
  let t: PaymentsTestApi;
  beforeAll(async () => {
    t = await startPaymentsApi({ ORDER_STATUS_MAX_WAITERS: '1' });
    expect(await t.api.services.storeCache.whenReady()).toBe(true);
  });
  afterAll(async () => {
    await t?.api.close();
  });

  it('when the process holds ORDER_STATUS_MAX_WAITERS reads, then the next answers at once; when it drains, the waiting read answers and closes its connection', async () => {
    const first = await newOrder(t);
    const second = await newOrder(t);
    const waiting = read(t, first.orderId, first.accessToken, 'wait=25');
    await untilWaiting(t, 1);

    const refused = await read(t, second.orderId, second.accessToken, 'wait=25');
    expect(((await refused.json()) as { status: string }).status).toBe('pending');
    expect(await ended(t, 'refused')).toBe(1);

    const closing = t.api.close();
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(((await res.json()) as { status: string }).status).toBe('pending');
    await closing;
    expect(await ended(t, 'closed')).toBe(1);
  });
});
