import { randomBytes } from 'node:crypto';
import mongoose, { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoServer, withDatabase, type MongoServerHandle } from '@storefront/devstack';
import { uniqueName } from '@storefront/devstack/test-harness';
import {
  createLogger,
  createRepositories,
  ensureIndexes,
  orderModel,
  PaymentOutcomes,
  transactionModel,
  type Order,
} from '../src/index.ts';

// A capture is two writes (the order becomes paid, then its one `paid` log entry). Whichever of
// them fails, the state left behind must be one that the callers revisit: reconciliation only
// looks at unpaid orders, so "paid without its `paid` entry" would stay that way for good.
// Failpoints are server-wide, so this file runs on a MongoDB server of its own (or MONGO_URL,
// where the failpoint is scoped to this file's connection by appName).

let ownMongo: MongoServerHandle | undefined;
let conn: Connection;
let payments: PaymentOutcomes;
const enqueued: string[] = [];
/** Commands this file's connection sent, by name. */
const sent: string[] = [];
const appName = uniqueName('outcomes');

beforeAll(async () => {
  let base = process.env.MONGO_URL ?? '';
  if (!base) {
    ownMongo = await startMongoServer();
    base = ownMongo.url;
  }
  conn = mongoose.createConnection(withDatabase(base, appName), {
    appName,
    autoIndex: false,
    monitorCommands: true,
  });
  await conn.asPromise();
  conn.getClient().on('commandStarted', (e) => sent.push(e.commandName));
  await ensureIndexes(conn);
  const repos = createRepositories(conn);
  payments = new PaymentOutcomes({
    orders: repos.orders,
    transactions: repos.transactions,
    logger: createLogger({ level: 'silent', service: 'test' }),
    deliver: (order) => {
      enqueued.push(String(order._id));
      return Promise.resolve();
    },
  });
});

afterAll(async () => {
  await failOnce('off').catch(() => undefined);
  await conn?.dropDatabase().catch(() => undefined);
  await conn?.close();
  await ownMongo?.stop();
});

async function failOnce(
  command: 'update' | 'findAndModify' | 'off',
  collection = '',
): Promise<void> {
  const db = conn.db;
  if (!db) throw new Error('not connected');
  await db.admin().command(
    command === 'off'
      ? { configureFailPoint: 'failCommand', mode: 'off' }
      : {
          configureFailPoint: 'failCommand',
          mode: { times: 1 },
          data: {
            failCommands: [command],
            namespace: `${db.databaseName}.${collection}`,
            appName,
            errorCode: 1,
          },
        },
  );
}

async function pendingOrder(): Promise<Order> {
  const order = await orderModel(conn).create({
    creatorId: new Types.ObjectId(),
    productId: new Types.ObjectId(),
    productTitle: 'Guide',
    amount: 49_900,
    currency: 'INR',
    status: 'pending',
    buyer: { email: 'buyer@example.com' },
    gatewayAccount: 'platform',
    gatewayOrderId: `order_${randomBytes(7).toString('hex')}`,
    accessTokenHash: 'x'.repeat(64),
  });
  return order.toObject();
}

const capture = (order: Order, paymentId: string) =>
  payments.applyCaptured(
    { order: order._id, paymentId, amount: order.amount, currency: 'INR' },
    { source: 'reconciliation', event: 'reconciliation.check' },
  );

async function state(order: Order) {
  const o = await orderModel(conn).findById(order._id).lean<Order>().exec();
  const paidEntries = await transactionModel(conn)
    .countDocuments({ orderId: order._id, outcome: 'paid' })
    .exec();
  return { status: o?.status, paymentId: o?.paymentId, paidEntries };
}

describe('applyCapturedPayment when a write fails', () => {
  it('when the `paid` log write fails, then the order is not left paid without its entry, and the next attempt completes both', async () => {
    const order = await pendingOrder();
    await failOnce('update', 'transactions');
    await expect(capture(order, 'pay_a')).rejects.toThrow(/failpoint/);
    const after = await state(order);
    expect(after.status === 'paid' && after.paidEntries === 0).toBe(false);
    // Reconciliation's next run sees an unpaid order and applies the capture again.
    expect(await capture(order, 'pay_a')).toBe('paid');
    expect(await state(order)).toEqual({ status: 'paid', paymentId: 'pay_a', paidEntries: 1 });
    expect(enqueued).toContain(String(order._id));
  });

  it('when the order update fails, then the retry marks it paid with exactly one `paid` entry', async () => {
    const order = await pendingOrder();
    await failOnce('findAndModify', 'orders');
    await expect(capture(order, 'pay_b')).rejects.toThrow(/failpoint/);
    expect((await state(order)).status).toBe('pending');
    expect(await capture(order, 'pay_b')).toBe('paid');
    expect(await capture(order, 'pay_b')).toBe('already_paid');
    expect(await state(order)).toEqual({ status: 'paid', paymentId: 'pay_b', paidEntries: 1 });
  });
});

describe('applyCaptured with the order the caller has just read', () => {
  const captureWith = (order: Order, paymentId: string, eventId: string) =>
    payments.applyCaptured(
      { order, paymentId, amount: order.amount, currency: 'INR' },
      {
        source: 'webhook',
        event: 'order.paid',
        eventId,
        alreadyPaid: { dedupeKey: `event:${eventId}`, paymentStatus: 'captured' },
      },
    );
  const entries = async (order: Order) =>
    (await transactionModel(conn).find({ orderId: order._id }).lean().exec())
      .map((t) => `${t.outcome}:${t.paymentId}`)
      .sort();

  it('when the snapshot says pending but the order was paid meanwhile, then nothing is applied twice and the event is logged', async () => {
    const stale = await pendingOrder();
    expect(await capture(stale, 'pay_first')).toBe('paid');
    expect(await captureWith(stale, 'pay_first', 'evt_stale')).toBe('already_paid');
    expect(await state(stale)).toEqual({ status: 'paid', paymentId: 'pay_first', paidEntries: 1 });
    expect(await entries(stale)).toEqual(['already_paid:pay_first', 'paid:pay_first']);
  });

  it('when the snapshot is already paid, then the `paid` entry, a second-capture alarm and the event log go in one batch, once', async () => {
    const order = await pendingOrder();
    expect(await capture(order, 'pay_one')).toBe('paid');
    const paid = (await orderModel(conn).findById(order._id).lean<Order>().exec()) as Order;
    expect(await captureWith(paid, 'pay_two', 'evt_two')).toBe('already_paid');
    expect(await captureWith(paid, 'pay_two', 'evt_two')).toBe('already_paid');
    expect(await state(order)).toEqual({ status: 'paid', paymentId: 'pay_one', paidEntries: 1 });
    expect(await entries(order)).toEqual([
      'already_paid:pay_two',
      'duplicate_capture:pay_two',
      'paid:pay_one',
    ]);
  });

  it('when two events capture one order at once from one snapshot, then one marks it paid with one conditional update and the other finds it paid', async () => {
    const order = await pendingOrder();
    sent.length = 0;
    const results = await Promise.all([
      captureWith(order, 'pay_both', 'evt_captured'),
      captureWith(order, 'pay_both', 'evt_order_paid'),
    ]);
    expect(results.sort()).toEqual(['already_paid', 'paid']);
    expect(sent.filter((n) => n === 'findAndModify')).toHaveLength(1);
    expect(await state(order)).toEqual({ status: 'paid', paymentId: 'pay_both', paidEntries: 1 });
    expect(await entries(order)).toEqual(['already_paid:pay_both', 'paid:pay_both']);
  });

  it('when a paid order has lost its `paid` entry, then the batch writes it', async () => {
    const order = await pendingOrder();
    expect(await capture(order, 'pay_lost')).toBe('paid');
    await transactionModel(conn).deleteMany({ orderId: order._id }).exec();
    const paid = (await orderModel(conn).findById(order._id).lean<Order>().exec()) as Order;
    expect(await captureWith(paid, 'pay_lost', 'evt_lost')).toBe('already_paid');
    expect(await entries(order)).toEqual(['already_paid:pay_lost', 'paid:pay_lost']);
  });
});

describe('recordFailed', () => {
  it('when the same failure is recorded twice without an event id, then it is logged once', async () => {
    const order = await pendingOrder();
    const fail = () =>
      payments.recordFailed(
        {
          orderId: order._id,
          paymentId: 'pay_failed_once',
          amount: order.amount,
          error: { code: 'BAD_REQUEST_ERROR', description: 'Payment failed' },
        },
        { source: 'checkout', event: 'checkout.callback' },
      );
    expect(await fail()).toBe('recorded');
    expect(await fail()).toBe('recorded');
    const entries = await transactionModel(conn)
      .find({ orderId: order._id, outcome: 'payment_failed' })
      .lean()
      .exec();
    expect(entries).toHaveLength(1);
    const after = await orderModel(conn).findById(order._id).lean<Order>().exec();
    expect(after).toMatchObject({
      status: 'pending',
      lastPaymentError: { code: 'BAD_REQUEST_ERROR', paymentId: 'pay_failed_once' },
    });
  });
});
