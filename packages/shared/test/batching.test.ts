import { randomBytes } from 'node:crypto';
import mongoose, { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '@storefront/devstack/test-harness';
import {
  batched,
  createRepositories,
  creatorModel,
  ensureIndexes,
  orderModel,
  productModel,
  transactionModel,
  webhookEventModel,
  type Repositories,
} from '../src/index.ts';

// Concurrent repository calls of one kind share one MongoDB command (the worker's drop
// throughput depends on it); every caller still gets its own answer.

let conn: Connection;
let repos: Repositories;
/** Commands this connection sent, by name (the driver's command monitoring). */
let sent: string[] = [];

beforeAll(async () => {
  conn = mongoose.createConnection(testConfig().MONGO_URL, {
    monitorCommands: true,
    autoIndex: false,
  });
  await conn.asPromise();
  await ensureIndexes(conn);
  conn.getClient().on('commandStarted', (e) => sent.push(e.commandName));
  repos = createRepositories(conn, { windowMs: 5, maxSize: 50 });
});

afterAll(async () => {
  await conn?.dropDatabase();
  await conn?.close();
});

beforeEach(() => {
  sent = [];
});

const count = (name: string) => sent.filter((n) => n === name).length;

async function newOrders(n: number) {
  const docs = Array.from({ length: n }, (_, i) => ({
    creatorId: new Types.ObjectId(),
    productId: new Types.ObjectId(),
    productTitle: `P${i}`,
    amount: 100 + i,
    currency: 'INR',
    status: 'pending',
    buyer: { email: 'b@example.test' },
    gatewayAccount: 'platform',
    gatewayOrderId: `order_${randomBytes(7).toString('hex')}`,
    accessTokenHash: 'x'.repeat(64),
  }));
  const created = await orderModel(conn).insertMany(docs);
  sent = [];
  return created.map((d) => d.toObject());
}

describe('batched repository calls', () => {
  it('when 30 orders are read at once by id and by gateway id, then two finds answer all, each with its own order (null for unknown)', async () => {
    const orders = await newOrders(30);
    const missing = new Types.ObjectId();
    const [byId, byGateway, none, noneGw] = await Promise.all([
      Promise.all(orders.map((o) => repos.orders.findById(o._id))),
      Promise.all(orders.map((o) => repos.orders.findByGatewayOrderId(o.gatewayOrderId!))),
      repos.orders.findById(missing),
      repos.orders.findByGatewayOrderId('order_unknown'),
    ]);
    expect(byId.map((o) => o?.amount)).toEqual(orders.map((o) => o.amount));
    expect(byGateway.map((o) => String(o?._id))).toEqual(orders.map((o) => String(o._id)));
    expect(none).toBeNull();
    expect(noneGw).toBeNull();
    expect(count('find')).toBe(2);
  });

  it('when one id is asked for twice in a batch, then both callers get it', async () => {
    const [order] = await newOrders(1);
    const [a, b] = await Promise.all([
      repos.orders.findById(order!._id),
      repos.orders.findById(String(order!._id)),
    ]);
    expect(String(a?._id)).toBe(String(order!._id));
    expect(String(b?._id)).toBe(String(order!._id));
  });

  it('when 20 log entries (two with one dedupe key) and 20 inbox finishes arrive at once, then one bulk write and one update do it, the repeated key written once', async () => {
    const orders = await newOrders(20);
    const events = orders.map((o, i) => ({
      _id: `evt_batch_${randomBytes(4).toString('hex')}_${i}`,
      account: 'platform',
      event: 'payment.captured',
      payload: { orderId: String(o._id) },
    }));
    for (const ev of events) await repos.webhookEvents.insert(ev);
    sent = [];
    const entries = orders.map((o) => ({
      orderId: o._id,
      source: 'webhook' as const,
      outcome: 'paid',
      dedupeKey: `paid:${String(o._id)}`,
    }));
    await Promise.all([
      ...entries.map((e) => repos.transactions.record(e)),
      repos.transactions.record(entries[0]!),
      ...events.map((ev) => repos.webhookEvents.markFinished(ev._id, 'processed')),
    ]);
    expect(count('update')).toBe(2);
    const logged = await transactionModel(conn)
      .countDocuments({ dedupeKey: { $in: entries.map((e) => e.dedupeKey) } })
      .exec();
    expect(logged).toBe(20);
    const finished = await webhookEventModel(conn)
      .countDocuments({ _id: { $in: events.map((e) => e._id) }, status: 'processed' })
      .exec();
    expect(finished).toBe(20);
  });

  it('when checkouts look up creators by username and products by id at once, then one find each answers all: unknown, inactive and deleted products are null', async () => {
    const names = [`b${randomBytes(4).toString('hex')}`, `b${randomBytes(4).toString('hex')}`];
    const creators = await creatorModel(conn).insertMany(
      names.map((username) => ({
        username,
        email: `${username}@example.test`,
        passwordHash: 'x',
        displayName: username.toUpperCase(),
      })),
    );
    const owner = creators[0]!._id;
    const product = (status: string, deletedAt?: Date) => ({
      creatorId: owner,
      title: status,
      price: 100,
      currency: 'INR',
      status,
      position: 0,
      ...(deletedAt ? { deletedAt } : {}),
    });
    const [active, inactive, deleted] = await productModel(conn).insertMany([
      product('active'),
      product('draft'),
      product('active', new Date()),
    ]);
    sent = [];
    const [byName, products] = await Promise.all([
      Promise.all(
        [...names, names[0]!, 'nobody'].map((n) => repos.creators.findPublicByUsername(n)),
      ),
      Promise.all(
        [active, active, inactive, deleted].map((p) =>
          repos.products.findActiveById(String(p!._id)),
        ),
      ),
    ]);
    expect(byName.map((c) => c?.displayName ?? null)).toEqual([
      names[0]!.toUpperCase(),
      names[1]!.toUpperCase(),
      names[0]!.toUpperCase(),
      null,
    ]);
    // The public projection: no email, no password hash.
    expect(byName[0]).not.toHaveProperty('email');
    expect(byName[0]).not.toHaveProperty('passwordHash');
    expect(products.map((p) => (p ? String(p._id) : null))).toEqual([
      String(active!._id),
      String(active!._id),
      null,
      null,
    ]);
    expect(count('find')).toBe(2);
  });

  it('when 12 checkouts create orders and log at once, then one insert each stores them all, validated, timestamped and masked, and an invalid one fails alone', async () => {
    const creatorId = new Types.ObjectId();
    const input = (i: number) => ({
      creatorId,
      productId: new Types.ObjectId(),
      productTitle: `Drop ${i}`,
      amount: 1_000 + i,
      currency: 'INR' as const,
      buyer: { email: `buyer${i}@example.test` },
      gatewayAccount: 'platform',
      accessTokenHash: 'h'.repeat(64),
    });
    const before = Date.now();
    sent = [];
    const [orders, badOrder] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, (_, i) => repos.orders.create(input(i)))),
      repos.orders.create({ ...input(99), amount: 'lots' as never }).catch((e: unknown) => e),
    ]);
    expect(badOrder).toBeInstanceOf(Error);
    expect(count('insert')).toBe(1);
    expect(orders.map((o) => [o.status, o.amount])).toEqual(
      Array.from({ length: 12 }, (_, i) => ['created', 1_000 + i]),
    );
    for (const o of orders) {
      expect(o._id).toBeInstanceOf(Types.ObjectId);
      expect(o.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(o.updatedAt.getTime()).toBe(o.createdAt.getTime());
    }
    const stored = await orderModel(conn).find({ creatorId }).sort({ amount: 1 }).lean().exec();
    expect(stored.map((o) => String(o._id))).toEqual(orders.map((o) => String(o._id)));

    sent = [];
    const logs = await Promise.allSettled([
      ...orders.map((o) =>
        repos.transactions.record({
          orderId: o._id,
          source: 'checkout',
          outcome: 'gateway_error',
          error: 'declined card 4111 1111 1111 1111',
        }),
      ),
      repos.transactions.record({ orderId: orders[0]!._id, source: 'checkout' } as never),
    ]);
    expect(logs.map((r) => r.status)).toEqual([...orders.map(() => 'fulfilled'), 'rejected']);
    expect(count('insert')).toBe(1);
    const logged = await transactionModel(conn)
      .find({ orderId: { $in: orders.map((o) => o._id) } })
      .lean()
      .exec();
    expect(logged).toHaveLength(12);
    for (const t of logged) {
      expect(t.error).not.toContain('4111 1111 1111 1111');
      expect(t.createdAt).toBeInstanceOf(Date);
    }
  });

  it('when calls come further apart than the window, then each gets its own command', async () => {
    const orders = await newOrders(2);
    await repos.orders.findById(orders[0]!._id);
    await repos.orders.findById(orders[1]!._id);
    expect(count('find')).toBe(2);
  });
});

describe('batched', () => {
  it('when the batch function fails, then every caller of that batch rejects, and later calls run again', async () => {
    let calls = 0;
    const load = batched(
      (keys: readonly number[]) => {
        calls += 1;
        if (calls === 1) return Promise.reject(new Error('database unavailable'));
        return Promise.resolve(keys.map((k) => k * 2));
      },
      { windowMs: 1, maxSize: 10 },
    );
    const first = await Promise.allSettled([load(1), load(2), load(3)]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await Promise.all([load(4), load(5)])).toEqual([8, 10]);
    expect(calls).toBe(2);
  });

  it('when the batch answers an Error for one key, then only that caller rejects', async () => {
    const load = batched(
      (keys: readonly number[]) =>
        Promise.resolve(keys.map((k) => (k === 2 ? new Error('no two') : k))),
      { windowMs: 0, maxSize: 10 },
    );
    const results = await Promise.allSettled([load(1), load(2), load(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('when the window is a function, then it is asked as each batch starts: 0 shares one tick, more waits for later calls', async () => {
    const sizes: number[] = [];
    let window = 0;
    const load = batched(
      (keys: readonly number[]) => {
        sizes.push(keys.length);
        return Promise.resolve(keys);
      },
      { windowMs: () => window, maxSize: 10 },
    );
    // Window 0: calls of one tick share a batch; a call on a later turn does not join it.
    const first = [load(1), load(2)];
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([...first, load(3)]);
    expect(sizes).toEqual([2, 1]);

    // Window 50 ms: a call made 10 ms after the first still joins its batch.
    window = 50;
    sizes.length = 0;
    const early = load(4);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all([early, load(5)]);
    expect(sizes).toEqual([2]);
  });

  it('when more calls than maxSize arrive, then they are split into batches of at most maxSize', async () => {
    const sizes: number[] = [];
    const load = batched(
      (keys: readonly number[]) => {
        sizes.push(keys.length);
        return Promise.resolve(keys);
      },
      { windowMs: 1, maxSize: 4 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => load(i)));
    expect(sizes).toEqual([4, 4, 2]);
  });
});
