import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { serverFailure as failure, useMongo } from './mongo-test-env.ts';

const env = useMongo('mongo_indexes');

const indexName = (spec: unknown): string => (spec as { name: string }).name;

describe('unique indexes', () => {
  it("when a duplicate value is inserted, then mongod's E11000 error is returned with keyPattern and keyValue", async () => {
    const c = env.db.collection('users');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@example.com' });
    const err = await failure(c.insertOne({ email: 'a@example.com' }));
    expect(err.code).toBe(11000);
    expect(err.keyPattern).toEqual({ email: 1 });
    expect(err.keyValue).toEqual({ email: 'a@example.com' });
    expect(err.message).toBe(
      `E11000 duplicate key error collection: ${env.dbName}.users index: email_1 dup key: { email: "a@example.com" }`,
    );
  });

  it('when a duplicate _id is inserted, then the _id_ index reports it', async () => {
    const c = env.db.collection('ids');
    await c.insertOne({ _id: 'x' as never });
    const err = await failure(c.insertOne({ _id: 'x' as never }));
    expect(err.code).toBe(11000);
    expect(err.message).toContain('index: _id_ dup key: { _id: "x" }');
  });

  it('when a compound unique index is used, then only the full combination must be unique', async () => {
    const c = env.db.collection('compound');
    await c.createIndex({ store: 1, sku: 1 }, { unique: true, name: 'store_sku' });
    await c.insertMany([
      { store: 's1', sku: 'a' },
      { store: 's1', sku: 'b' },
      { store: 's2', sku: 'a' },
    ]);
    const err = await failure(c.insertOne({ store: 's1', sku: 'b' }));
    expect(err.code).toBe(11000);
    expect(err.keyPattern).toEqual({ store: 1, sku: 1 });
    expect(err.keyValue).toEqual({ store: 's1', sku: 'b' });
    expect(err.message).toContain('index: store_sku dup key: { store: "s1", sku: "b" }');
  });

  it('when a unique index is sparse, then many documents may lack the field but values stay unique', async () => {
    const c = env.db.collection('sparse');
    await c.createIndex({ handle: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ a: 1 }, { a: 2 }, { handle: 'h' }]);
    const err = await failure(c.insertOne({ handle: 'h' }));
    expect(err.code).toBe(11000);
    // Without sparse, two documents missing the field collide on null.
    const dense = env.db.collection('dense');
    await dense.createIndex({ handle: 1 }, { unique: true });
    await dense.insertOne({ a: 1 });
    const nullErr = await failure(dense.insertOne({ a: 2 }));
    expect(nullErr.keyValue).toEqual({ handle: null });
  });

  it('when a unique index is partial, then only documents matching the filter are constrained', async () => {
    const c = env.db.collection('partial');
    await c.createIndex(
      { orderId: 1 },
      { unique: true, partialFilterExpression: { status: { $eq: 'active' } } },
    );
    await c.insertMany([
      { orderId: 1, status: 'old' },
      { orderId: 1, status: 'old' },
      { orderId: 1, status: 'active' },
    ]);
    const err = await failure(c.insertOne({ orderId: 1, status: 'active' }));
    expect(err.code).toBe(11000);
    const exists = env.db.collection('partial_exists');
    await exists.createIndex(
      { ref: 1 },
      { unique: true, partialFilterExpression: { ref: { $exists: true } } },
    );
    await exists.insertMany([{ a: 1 }, { a: 2 }, { ref: 'r' }]);
    expect((await failure(exists.insertOne({ ref: 'r' }))).code).toBe(11000);
  });

  it('when an update, an upsert or a findOneAndUpdate would duplicate a key, then it fails with 11000 and changes nothing', async () => {
    const c = env.db.collection('upd');
    await c.createIndex({ code: 1 }, { unique: true });
    await c.insertMany([
      { code: 'a', n: 1 },
      { code: 'b', n: 2 },
    ]);
    expect((await failure(c.updateOne({ code: 'b' }, { $set: { code: 'a' } }))).code).toBe(11000);
    expect(
      (await failure(c.updateOne({ code: 'zzz' }, { $set: { code: 'a' } }, { upsert: true }))).code,
    ).toBe(11000);
    expect((await failure(c.findOneAndUpdate({ code: 'b' }, { $set: { code: 'a' } }))).code).toBe(
      11000,
    );
    expect((await failure(c.replaceOne({ code: 'b' }, { code: 'a' }))).code).toBe(11000);
    const docs = await c
      .find({}, { projection: { _id: 0 } })
      .sort({ code: 1 })
      .toArray();
    expect(docs).toEqual([
      { code: 'a', n: 1 },
      { code: 'b', n: 2 },
    ]);
    // Changing a document to its own value is not a conflict.
    expect((await c.updateOne({ code: 'a' }, { $set: { code: 'a', n: 5 } })).modifiedCount).toBe(1);
  });

  it('when an updateMany would create duplicates, then it reports a write error', async () => {
    const c = env.db.collection('upd_many');
    await c.createIndex({ slot: 1 }, { unique: true });
    await c.insertMany([{ slot: 1 }, { slot: 2 }]);
    const err = await c.updateMany({}, { $set: { slot: 9 } }).catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(11000);
  });

  it('when a unique index is built over existing duplicates, then creation fails with 11000', async () => {
    const c = env.db.collection('late');
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    expect((await failure(c.createIndex({ k: 1 }, { unique: true }))).code).toBe(11000);
    const names = (await c.listIndexes().toArray()).map(indexName);
    expect(names).toEqual(['_id_']);
  });

  it('when insertMany violates a unique index, then the bulk error carries the write errors', async () => {
    const c = env.db.collection('bulk_unique');
    await c.createIndex({ k: 1 }, { unique: true });
    const err = await c
      .insertMany([{ k: 1 }, { k: 2 }, { k: 1 }], { ordered: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    expect((err as MongoBulkWriteError).insertedCount).toBe(2);
    expect((err as MongoBulkWriteError).code).toBe(11000);
  });
});

describe('index management', () => {
  it('when an equivalent index is created twice, then the second call is a no-op', async () => {
    const c = env.db.collection('mgmt');
    expect(await c.createIndex({ a: 1 }, { background: true })).toBe('a_1');
    expect(await c.createIndex({ a: 1 }, { background: true })).toBe('a_1');
    const res = await env.db.command({
      createIndexes: 'mgmt',
      indexes: [{ key: { a: 1 }, name: 'a_1' }],
    });
    expect(res.note).toBe('all indexes already exist');
    expect(res.numIndexesBefore).toBe(res.numIndexesAfter);
  });

  it("when a name is reused with another key or other options, then mongod's conflict codes are returned", async () => {
    const c = env.db.collection('conflicts');
    await c.createIndex({ a: 1 }, { name: 'idx' });
    expect((await failure(c.createIndex({ b: 1 }, { name: 'idx' }))).code).toBe(86);
    expect((await failure(c.createIndex({ a: 1 }, { name: 'idx', unique: true }))).code).toBe(85);
    expect((await failure(c.createIndex({ a: 1 }, { name: 'other' }))).code).toBe(85);
  });

  it('when indexes are listed and dropped, then listIndexes reflects the specs and options', async () => {
    const c = env.db.collection('listing');
    await c.createIndex({ x: 1, y: -1 }, { unique: true, sparse: true });
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    await c.createIndex({ p: 1 }, { partialFilterExpression: { p: { $exists: true } } });
    const specs = await c.listIndexes().toArray();
    expect(specs.map(indexName)).toEqual(['_id_', 'x_1_y_-1', 'at_1', 'p_1']);
    expect(specs[1]).toMatchObject({ key: { x: 1, y: -1 }, unique: true, sparse: true });
    expect(specs[2]).toMatchObject({ expireAfterSeconds: 3600 });
    expect(specs[3]).toMatchObject({ partialFilterExpression: { p: { $exists: true } } });
    await c.dropIndex('at_1');
    expect((await failure(c.dropIndex('missing_1'))).code).toBe(27);
    await c.dropIndexes();
    expect((await c.listIndexes().toArray()).map(indexName)).toEqual(['_id_']);
    expect((await failure(env.db.collection('nope').listIndexes().toArray())).code).toBe(26);
  });

  it('when documents carry an expired TTL date, then they are removed in the background', async () => {
    // mongod runs its TTL monitor every 60 s by default; tests ask for every second.
    await env.client.db('admin').command({ setParameter: 1, ttlMonitorSleepSecs: 1 });
    const c = env.db.collection('ttl');
    await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await c.insertMany([
      { expiresAt: new Date(Date.now() - 1000) },
      { expiresAt: new Date(Date.now() + 3_600_000) },
      { noDate: 1 },
    ]);
    const deadline = Date.now() + 20_000;
    while ((await c.countDocuments()) > 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await c.countDocuments()).toBe(2);
  });

  it('when lookups use indexed fields, then they return the same documents as a scan would', async () => {
    const c = env.db.collection('lookups');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.createIndex({ store: 1, createdAt: -1 });
    await c.insertMany(
      Array.from({ length: 50 }, (_, i) => ({
        email: `u${i}@x`,
        store: `s${i % 5}`,
        createdAt: new Date(i * 1000),
        tags: [`t${i % 3}`],
      })),
    );
    expect((await c.findOne({ email: 'u7@x' }))?.store).toBe('s2');
    expect(await c.countDocuments({ email: { $in: ['u1@x', 'u2@x', 'nope'] } })).toBe(2);
    expect(await c.countDocuments({ store: 's1' })).toBe(10);
    expect(await c.countDocuments({ store: 's1', createdAt: new Date(6000) })).toBe(1);
    expect(await c.countDocuments({ store: 's1', email: { $ne: 'u1@x' } })).toBe(9);
    const ids = (await c.find({ store: 's3' }).limit(3).toArray()).map((d) => d._id);
    expect(await c.countDocuments({ _id: { $in: ids } })).toBe(3);
    await c.updateOne({ email: 'u7@x' }, { $set: { email: 'seven@x' } });
    expect(await c.findOne({ email: 'u7@x' })).toBeNull();
    expect((await c.findOne({ email: 'seven@x' }))?.store).toBe('s2');
  });
});

describe('unique indexes through mongoose', () => {
  it('when a schema declares unique fields, then a duplicate create raises MongoServerError 11000', async () => {
    const schema = new Schema({ username: { type: String, unique: true }, email: String });
    schema.index({ email: 1, username: 1 }, { unique: true });
    const Creator = env.conn.model('Creator', schema);
    await Creator.init();
    await Creator.create({ username: 'ana', email: 'ana@x' });
    const err = await Creator.create({ username: 'ana', email: 'other@x' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(11000);
    expect((err as MongoServerError).keyPattern).toEqual({ username: 1 });
    expect((err as MongoServerError).keyValue).toEqual({ username: 'ana' });
    const upd = await Creator.create({ username: 'bob', email: 'bob@x' });
    const updErr = await Creator.updateOne({ _id: upd._id }, { username: 'ana' }).catch(
      (e: unknown) => e,
    );
    expect((updErr as MongoServerError).code).toBe(11000);
    const indexes = await Creator.listIndexes();
    expect(indexes.map(indexName).sort()).toEqual(['_id_', 'email_1_username_1', 'username_1']);
  });
});
