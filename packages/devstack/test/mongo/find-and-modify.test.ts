import { ObjectId } from 'mongodb';
import { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { useMongo } from './mongo-test-env.ts';

const env = useMongo('mongo_fam');

interface Counter {
  _id: string;
  n: number;
}

interface Job {
  _id: ObjectId;
  status: 'pending' | 'claimed';
  owner?: number;
  priority?: number;
}

describe('findOneAndUpdate as an atomic primitive', () => {
  it('when 100 concurrent $inc findOneAndUpdate run, then the final value is 100 and every result is distinct', async () => {
    const c = env.db.collection<Counter>('counters');
    await c.insertOne({ _id: 'c1', n: 0 });
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        c.findOneAndUpdate({ _id: 'c1' }, { $inc: { n: 1 } }, { returnDocument: 'after' }),
      ),
    );
    expect((await c.findOne({ _id: 'c1' }))?.n).toBe(100);
    const seen = results.map((r) => r?.n).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('when 100 clients race to claim one pending document, then exactly one wins', async () => {
    const c = env.db.collection<Job>('jobs');
    const { insertedId } = await c.insertOne({ _id: new ObjectId(), status: 'pending' });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        c.findOneAndUpdate(
          { _id: insertedId, status: 'pending' },
          { $set: { status: 'claimed', owner: i } },
          { returnDocument: 'after' },
        ),
      ),
    );
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect((await c.findOne({ _id: insertedId }))?.owner).toBe(winners[0]?.owner);
  });

  it('when workers claim from a queue with a sort, then each job goes to one worker in priority order', async () => {
    const c = env.db.collection<Job>('queue');
    await c.insertMany(
      Array.from({ length: 10 }, (_, i) => ({
        _id: new ObjectId(),
        status: 'pending' as const,
        priority: i,
      })),
    );
    const claims = await Promise.all(
      Array.from({ length: 15 }, (_, w) =>
        c.findOneAndUpdate(
          { status: 'pending' },
          { $set: { status: 'claimed', owner: w } },
          { sort: { priority: -1 }, returnDocument: 'after' },
        ),
      ),
    );
    const got = claims.filter((r) => r !== null);
    expect(got).toHaveLength(10);
    expect(new Set(got.map((r) => r?._id.toHexString())).size).toBe(10);
    expect(got[0]?.priority).toBe(9);
  });

  it('when 100 concurrent claims go through mongoose, then exactly one wins', async () => {
    const Order = env.conn.model('RaceOrder', new Schema({ status: String, by: Number }));
    const order = await Order.create({ status: 'pending' });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        Order.findOneAndUpdate(
          { _id: order._id, status: 'pending' },
          { $set: { status: 'paid', by: i } },
          { returnDocument: 'after' },
        ).lean(),
      ),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });
});

describe('findAndModify options', () => {
  it('when returnDocument is before or after, then the matching version is returned', async () => {
    const c = env.db.collection('versions');
    const { insertedId } = await c.insertOne({ v: 1, keep: 'k' });
    const before = await c.findOneAndUpdate(
      { _id: insertedId },
      { $set: { v: 2 } },
      { returnDocument: 'before' },
    );
    expect(before?.v).toBe(1);
    const after = await c.findOneAndUpdate(
      { _id: insertedId },
      { $set: { v: 3 } },
      { returnDocument: 'after', projection: { v: 1, _id: 0 } },
    );
    expect(after).toEqual({ v: 3 });
  });

  it('when upserting, then the new document is returned only with returnDocument after', async () => {
    const c = env.db.collection('fam_upsert');
    const none = await c.findOneAndUpdate(
      { key: 'a' },
      { $set: { x: 1 } },
      { upsert: true, returnDocument: 'before' },
    );
    expect(none).toBeNull();
    const created = await c.findOneAndUpdate(
      { key: 'b' },
      { $set: { x: 2 }, $setOnInsert: { created: true } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(created).toMatchObject({ key: 'b', x: 2, created: true });
    expect(await c.countDocuments()).toBe(2);
  });

  it('when the raw command is used, then lastErrorObject matches mongod', async () => {
    const c = env.db.collection('leo');
    await c.insertOne({ k: 1 });
    const updated = await env.db.command({
      findAndModify: 'leo',
      query: { k: 1 },
      update: { $set: { y: 1 } },
      new: true,
    });
    expect(updated.lastErrorObject).toEqual({ n: 1, updatedExisting: true });
    expect(updated.value).toMatchObject({ k: 1, y: 1 });
    const upserted = await env.db.command({
      findAndModify: 'leo',
      query: { k: 2 },
      update: { $set: { y: 2 } },
      upsert: true,
    });
    expect(upserted.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    expect((upserted.lastErrorObject as { upserted?: unknown }).upserted).toBeInstanceOf(ObjectId);
    expect(upserted.value).toBeNull();
    const missing = await env.db.command({
      findAndModify: 'leo',
      query: { k: 3 },
      update: { $set: { y: 3 } },
    });
    expect(missing.lastErrorObject).toEqual({ n: 0, updatedExisting: false });
    expect(missing.value).toBeNull();
    const removed = await env.db.command({ findAndModify: 'leo', query: { k: 2 }, remove: true });
    expect(removed.lastErrorObject).toEqual({ n: 1 });
    expect(removed.value).toMatchObject({ k: 2 });
  });

  it('when deleting and replacing through findOneAnd*, then the chosen document (by sort) is affected', async () => {
    const c = env.db.collection('fam_del');
    await c.insertMany([{ p: 1 }, { p: 3 }, { p: 2 }]);
    const deleted = await c.findOneAndDelete({}, { sort: { p: -1 } });
    expect(deleted?.p).toBe(3);
    const replaced = await c.findOneAndReplace(
      { p: 1 },
      { p: 10, r: true },
      { returnDocument: 'after' },
    );
    expect(replaced).toMatchObject({ p: 10, r: true });
    expect(
      (
        await c
          .find({}, { projection: { _id: 0, p: 1 } })
          .sort({ p: 1 })
          .toArray()
      ).map((d) => d.p as unknown),
    ).toEqual([2, 10]);
  });

  it('when mongoose findOneAndUpdate upserts with new, then the created document comes back', async () => {
    const Setting = env.conn.model('Setting', new Schema({ key: String, value: Number }));
    const doc = await Setting.findOneAndUpdate(
      { key: 'limit' },
      { $set: { value: 5 } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    expect(doc).toMatchObject({ key: 'limit', value: 5 });
    const again = await Setting.findOneAndUpdate(
      { key: 'limit' },
      { $inc: { value: 1 } },
      { returnDocument: 'after' },
    ).lean();
    expect(again?.value).toBe(6);
    expect(await Setting.countDocuments()).toBe(1);
  });
});
