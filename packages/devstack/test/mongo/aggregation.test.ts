import { ObjectId } from 'mongodb';
import { Schema } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { useMongo } from './mongo-test-env.ts';

const env = useMongo('mongo_agg');

const creatorA = new ObjectId();
const creatorB = new ObjectId();

describe('aggregation', () => {
  beforeAll(async () => {
    await env.db.collection('creators').insertMany([
      { _id: creatorA, username: 'ana' },
      { _id: creatorB, username: 'bob' },
    ]);
    await env.db.collection('orders').insertMany([
      {
        creatorId: creatorA,
        amount: 100,
        status: 'paid',
        items: ['x', 'y'],
        at: new Date('2024-01-01T10:00:00Z'),
      },
      {
        creatorId: creatorA,
        amount: 250,
        status: 'paid',
        items: ['x'],
        at: new Date('2024-01-02T10:00:00Z'),
      },
      {
        creatorId: creatorA,
        amount: 50,
        status: 'failed',
        items: [],
        at: new Date('2024-01-02T11:00:00Z'),
      },
      {
        creatorId: creatorB,
        amount: 75,
        status: 'paid',
        items: ['z'],
        at: new Date('2024-01-03T10:00:00Z'),
      },
    ]);
  });

  it('when grouping paid orders per creator, then sums, counts and averages are right', async () => {
    const out = await env.db
      .collection('orders')
      .aggregate([
        { $match: { status: 'paid' } },
        {
          $group: {
            _id: '$creatorId',
            total: { $sum: '$amount' },
            n: { $sum: 1 },
            avg: { $avg: '$amount' },
          },
        },
        { $sort: { total: -1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { _id: creatorA, total: 350, n: 2, avg: 175 },
      { _id: creatorB, total: 75, n: 1, avg: 75 },
    ]);
  });

  it('when joining with $lookup and unwinding, then each order carries its creator', async () => {
    const out = await env.db
      .collection('orders')
      .aggregate([
        { $match: { amount: { $gte: 75 } } },
        {
          $lookup: {
            from: 'creators',
            localField: 'creatorId',
            foreignField: '_id',
            as: 'creator',
          },
        },
        { $unwind: '$creator' },
        { $project: { _id: 0, amount: 1, username: '$creator.username' } },
        { $sort: { amount: 1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { amount: 75, username: 'bob' },
      { amount: 100, username: 'ana' },
      { amount: 250, username: 'ana' },
    ]);
  });

  it('when using $unwind, $count, $facet, $addFields and $limit, then stages compose', async () => {
    const [facets] = await env.db
      .collection('orders')
      .aggregate([
        {
          $facet: {
            items: [
              { $unwind: '$items' },
              { $group: { _id: '$items', n: { $sum: 1 } } },
              { $sort: { _id: 1 } },
            ],
            count: [{ $count: 'total' }],
            top: [
              { $sort: { amount: -1 } },
              { $limit: 1 },
              { $addFields: { big: { $gt: ['$amount', 200] } } },
              { $project: { _id: 0, amount: 1, big: 1 } },
            ],
          },
        },
      ])
      .toArray();
    expect(facets?.items).toEqual([
      { _id: 'x', n: 2 },
      { _id: 'y', n: 1 },
      { _id: 'z', n: 1 },
    ]);
    expect(facets?.count).toEqual([{ total: 4 }]);
    expect(facets?.top).toEqual([{ amount: 250, big: true }]);
  });

  it('when grouping by day with date operators, then buckets follow the stored dates', async () => {
    const out = await env.db
      .collection('orders')
      .aggregate([
        { $group: { _id: { $dateToString: { format: '%Y-%m-%d', date: '$at' } }, n: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { _id: '2024-01-01', n: 1 },
      { _id: '2024-01-02', n: 2 },
      { _id: '2024-01-03', n: 1 },
    ]);
  });

  it('when countDocuments runs (an aggregate under the hood), then it honours skip and limit', async () => {
    const c = env.db.collection('orders');
    expect(await c.countDocuments({ creatorId: creatorA })).toBe(3);
    expect(await c.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await c.countDocuments({ status: 'none' })).toBe(0);
  });

  it('when the last stage is $out, then the target collection is replaced by the results', async () => {
    await env.db.collection('totals').insertOne({ stale: true });
    const res = await env.db
      .collection('orders')
      .aggregate([{ $group: { _id: '$status', n: { $sum: 1 } } }, { $out: 'totals' }])
      .toArray();
    expect(res).toEqual([]);
    const totals = await env.db.collection('totals').find().sort({ _id: 1 }).toArray();
    expect(totals).toEqual([
      { _id: 'failed', n: 1 },
      { _id: 'paid', n: 3 },
    ]);
  });

  it('when aggregating through mongoose, then the model collection is used', async () => {
    const Order = env.conn.model(
      'AggOrder',
      new Schema({ creatorId: Schema.Types.ObjectId, amount: Number, status: String }),
      'orders',
    );
    const out = await Order.aggregate<{ _id: string; n: number }>([
      { $match: { creatorId: creatorA } },
      { $group: { _id: '$status', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(out).toEqual([
      { _id: 'failed', n: 1 },
      { _id: 'paid', n: 2 },
    ]);
  });

  it('when stages reshape nested fields, then the stored documents are not modified', async () => {
    const c = env.db.collection('nested_agg');
    await c.insertOne({ _id: 'n1', a: { b: 1, c: 2 }, d: [{ e: 1 }] } as never);
    const out = await c
      .aggregate([{ $project: { 'a.b': 0, 'd.e': 0 } }, { $unset: 'a.c' }, { $set: { 'a.x': 1 } }])
      .toArray();
    expect(out).toEqual([{ _id: 'n1', a: { x: 1 }, d: [{}] }]);
    expect(await c.findOne({ _id: 'n1' } as never)).toEqual({
      _id: 'n1',
      a: { b: 1, c: 2 },
      d: [{ e: 1 }],
    });
  });

  it('when aggregating a collection that does not exist, then the result is empty', async () => {
    expect(
      await env.db
        .collection('nothing_here')
        .aggregate([{ $match: {} }])
        .toArray(),
    ).toEqual([]);
  });
});
