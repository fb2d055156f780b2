import {
  Binary,
  Decimal128,
  Double,
  Int32,
  Long,
  MongoBulkWriteError,
  MongoServerError,
  ObjectId,
  type WriteError,
} from 'mongodb';
import { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { useMongo } from './mongo-test-env.ts';

const env = useMongo('mongo_crud');

describe('CRUD over the raw driver', () => {
  it('when documents of every common BSON type are stored, then they come back with the same types', async () => {
    const c = env.db.collection('types');
    const doc = {
      _id: new ObjectId(),
      date: new Date('2024-01-02T03:04:05.678Z'),
      ref: new ObjectId(),
      dec: Decimal128.fromString('12345.6789'),
      long: Long.fromString('9007199254740993'),
      int: new Int32(7),
      dbl: new Double(1.5),
      bin: new Binary(Buffer.from('hello')),
      nested: { a: [1, { b: 'two', c: [new Date(0)] }], empty: {} },
      nil: null,
      flag: true,
      str: 'héllo ✓',
    };
    await c.insertOne(doc);
    const back = await c.findOne({ _id: doc._id }, { promoteLongs: false, promoteValues: false });
    expect(back?._id).toBeInstanceOf(ObjectId);
    expect((back?.ref as ObjectId).equals(doc.ref)).toBe(true);
    expect(back?.date).toEqual(doc.date);
    expect(back?.dec).toBeInstanceOf(Decimal128);
    expect(String(back?.dec as Decimal128)).toBe('12345.6789');
    expect(back?.long).toBeInstanceOf(Long);
    expect(String(back?.long as Long)).toBe('9007199254740993');
    expect(back?.int).toBeInstanceOf(Int32);
    expect(back?.dbl).toBeInstanceOf(Double);
    expect(Buffer.from((back?.bin as Binary).buffer).toString()).toBe('hello');
    const plain = await c.findOne({ _id: doc._id });
    expect(plain?.nested).toEqual({ a: [1, { b: 'two', c: [new Date(0)] }], empty: {} });
    expect(plain?.nil).toBeNull();
    expect(plain?.str).toBe('héllo ✓');
  });

  it('when a document has no _id, then the server stores an ObjectId and returns it first', async () => {
    const c = env.db.collection('noid');
    await env.db.command({ insert: 'noid', documents: [{ a: 1 }] });
    const back = await c.findOne({ a: 1 });
    expect(back?._id).toBeInstanceOf(ObjectId);
    expect(Object.keys(back ?? {})[0]).toBe('_id');
  });

  it('when an ordered insertMany hits a duplicate _id, then it stops there and reports the write error', async () => {
    const c = env.db.collection('ordered');
    const err = await c
      .insertMany([
        { _id: 1 as unknown as ObjectId },
        { _id: 1 as unknown as ObjectId },
        { _id: 2 as unknown as ObjectId },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    const bulk = err as MongoBulkWriteError;
    expect(bulk.code).toBe(11000);
    expect(bulk.insertedCount).toBe(1);
    expect(bulk.writeErrors).toHaveLength(1);
    expect(await c.countDocuments()).toBe(1);
  });

  it('when an unordered insertMany hits duplicates, then every other document is inserted', async () => {
    const c = env.db.collection('unordered');
    const ids = [1, 1, 2, 2, 3] as unknown as ObjectId[];
    const err = await c
      .insertMany(
        ids.map((_id) => ({ _id })),
        { ordered: false },
      )
      .catch((e: unknown) => e);
    const bulk = err as MongoBulkWriteError;
    expect(bulk).toBeInstanceOf(MongoBulkWriteError);
    expect(bulk.insertedCount).toBe(3);
    const errs = ([] as WriteError[]).concat(bulk.writeErrors);
    expect(errs.map((e) => e.index).sort()).toEqual([1, 3]);
    expect(await c.countDocuments()).toBe(3);
  });

  it('when updating with upsert and $setOnInsert, then insert-only fields are set only on insert', async () => {
    const c = env.db.collection('upserts');
    const first = await c.updateOne(
      { key: 'k1' },
      { $set: { seen: 1 }, $setOnInsert: { createdBy: 'first' } },
      { upsert: true },
    );
    expect(first.upsertedCount).toBe(1);
    expect(first.upsertedId).toBeInstanceOf(ObjectId);
    const second = await c.updateOne(
      { key: 'k1' },
      { $set: { seen: 2 }, $setOnInsert: { createdBy: 'second' } },
      { upsert: true },
    );
    expect(second).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
    const doc = await c.findOne({ key: 'k1' }, { projection: { _id: 0 } });
    expect(doc).toEqual({ key: 'k1', seen: 2, createdBy: 'first' });
  });

  it('when an upsert filter has an _id and nested equality, then the inserted document carries them', async () => {
    const c = env.db.collection('upsert_id');
    const res = await c.updateOne(
      { _id: 'fixed' as unknown as ObjectId, 'profile.tier': 'gold', n: { $gt: 1 } },
      { $inc: { visits: 1 } },
      { upsert: true },
    );
    expect(res.upsertedId).toBe('fixed');
    expect(await c.findOne({ _id: 'fixed' as unknown as ObjectId })).toEqual({
      _id: 'fixed',
      profile: { tier: 'gold' },
      visits: 1,
    });
  });

  it('when updateMany matches several documents, then matched and modified counts are exact', async () => {
    const c = env.db.collection('multi');
    await c.insertMany([
      { g: 1, v: 0 },
      { g: 1, v: 5 },
      { g: 1, v: 5 },
      { g: 2, v: 0 },
    ]);
    const res = await c.updateMany({ g: 1 }, { $set: { v: 5 } });
    expect(res).toMatchObject({ matchedCount: 3, modifiedCount: 1 });
    const one = await c.updateOne({ g: 1 }, { $inc: { v: 1 } });
    expect(one).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect((await c.find({ g: 1 }).toArray()).map((d) => d.v as unknown).sort()).toEqual([5, 5, 6]);
  });

  it('when array operators, positional updates and arrayFilters are used, then arrays change as on mongod', async () => {
    const c = env.db.collection<{
      tags: string[];
      more?: string[];
      items: Record<string, unknown>[];
    }>('arrays');
    const { insertedId } = await c.insertOne({
      tags: ['a'],
      items: [
        { sku: 'x', qty: 1 },
        { sku: 'y', qty: 5 },
      ],
    });
    await c.updateOne({ _id: insertedId }, { $push: { tags: 'b' }, $addToSet: { more: 'm' } });
    await c.updateOne({ _id: insertedId }, { $addToSet: { tags: 'a' } });
    await c.updateOne({ _id: insertedId, 'items.sku': 'y' }, { $inc: { 'items.$.qty': 10 } });
    await c.updateOne(
      { _id: insertedId },
      { $set: { 'items.$[small].flag': true } },
      { arrayFilters: [{ 'small.qty': { $lt: 3 } }] },
    );
    await c.updateOne({ _id: insertedId }, { $pull: { tags: 'a' } });
    const doc = await c.findOne({ _id: insertedId });
    expect(doc?.tags).toEqual(['b']);
    expect(doc?.more).toEqual(['m']);
    expect(doc?.items).toEqual([
      { sku: 'x', qty: 1, flag: true },
      { sku: 'y', qty: 15 },
    ]);
  });

  it('when an update is an aggregation pipeline, then it is applied', async () => {
    const c = env.db.collection('pipeline_update');
    const { insertedId } = await c.insertOne({ a: 2, b: 3 });
    await c.updateOne({ _id: insertedId }, [
      { $set: { sum: { $add: ['$a', '$b'] } } },
      { $unset: 'b' },
    ]);
    expect(await c.findOne({ _id: insertedId }, { projection: { _id: 0 } })).toEqual({
      a: 2,
      sum: 5,
    });
  });

  it('when replacing a document, then _id is kept and other fields are replaced', async () => {
    const c = env.db.collection('replace');
    const { insertedId } = await c.insertOne({ a: 1, b: 2 });
    const res = await c.replaceOne({ _id: insertedId }, { c: 3 });
    expect(res.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: insertedId })).toEqual({ _id: insertedId, c: 3 });
  });

  it('when an update would change _id, then it fails with ImmutableField (66)', async () => {
    const c = env.db.collection('immutable');
    const { insertedId } = await c.insertOne({ a: 1 });
    const err = await c
      .updateOne({ _id: insertedId }, { $set: { _id: new ObjectId() } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(66);
  });

  it('when deleting with limit one and limit zero, then one and then all matches are removed', async () => {
    const c = env.db.collection('deletes');
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await c.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({ k: 1 })).deletedCount).toBe(2);
    expect((await c.deleteMany({ k: 99 })).deletedCount).toBe(0);
    expect(await c.countDocuments()).toBe(1);
  });

  it('when finding with filter, sort, skip, limit and projection, then results match mongod semantics', async () => {
    const c = env.db.collection('query');
    await c.insertMany(
      Array.from({ length: 20 }, (_, i) => ({
        i,
        even: i % 2 === 0,
        grp: i % 3,
        name: `n${i}`,
        meta: { x: i, y: 'y' },
      })),
    );
    const page = await c
      .find({ even: true, i: { $gte: 4 } }, { projection: { _id: 0, i: 1, 'meta.x': 1 } })
      .sort({ grp: 1, i: -1 })
      .skip(1)
      .limit(3)
      .toArray();
    expect(page).toEqual([
      { i: 12, meta: { x: 12 } },
      { i: 6, meta: { x: 6 } },
      { i: 16, meta: { x: 16 } },
    ]);
    const excl = await c.findOne({ i: 3 }, { projection: { meta: 0, _id: 0 } });
    expect(excl).toEqual({ i: 3, even: false, grp: 0, name: 'n3' });
    expect(await c.countDocuments({ name: { $regex: /^n1/ } })).toBe(11);
    expect(await c.countDocuments({ i: { $in: [1, 2, 99] } })).toBe(2);
    expect(await c.countDocuments({ $or: [{ i: 1 }, { 'meta.x': 2 }] })).toBe(2);
    expect(await c.estimatedDocumentCount()).toBe(20);
    expect((await c.distinct('grp')).sort()).toEqual([0, 1, 2]);
    expect(await c.distinct('grp', { i: { $lt: 2 } })).toEqual([0, 1]);
  });

  it('when nested fields are projected in or out, then results are shaped and stored documents stay intact', async () => {
    const c = env.db.collection('nested_projection');
    const doc = {
      _id: 'p1',
      a: { b: 1, c: 2 },
      list: [{ e: 1, f: 2 }, { e: 3, f: 4 }, 'scalar'],
      z: 9,
    };
    await c.insertOne(doc as never);
    expect(
      await c.findOne({ _id: 'p1' } as never, { projection: { 'a.b': 0, 'list.e': 0 } }),
    ).toEqual({
      _id: 'p1',
      a: { c: 2 },
      list: [{ f: 2 }, { f: 4 }, 'scalar'],
      z: 9,
    });
    expect(
      await c.findOne({ _id: 'p1' } as never, { projection: { 'a.b': 1, 'list.f': 1 } }),
    ).toEqual({
      _id: 'p1',
      a: { b: 1 },
      list: [{ f: 2 }, { f: 4 }],
    });
    expect(await c.findOne({ _id: 'p1' } as never, { projection: { _id: 0, z: 1 } })).toEqual({
      z: 9,
    });
    expect(
      await c.findOne({ _id: 'p1' } as never, { projection: { list: { $slice: 1 }, z: 1 } }),
    ).toEqual({
      _id: 'p1',
      list: [{ e: 1, f: 2 }],
      z: 9,
    });
    expect(await c.findOne({ _id: 'p1' } as never)).toEqual(doc);
  });

  it('when values of different BSON types are sorted, then the mongod type order is used', async () => {
    const c = env.db.collection('mixed_sort');
    await c.insertMany([
      { v: 'b' },
      { v: 2 },
      { v: null },
      { v: new Date(0) },
      { v: true },
      { v: 1.5 },
      { v: { a: 1 } },
      { v: [0, 9] },
    ]);
    const out = await c
      .find({}, { projection: { _id: 0, v: 1 } })
      .sort({ v: 1 })
      .toArray();
    // An array sorts by its smallest element ascending, so [0, 9] sorts as 0.
    expect(out.map((d) => d.v as unknown)).toEqual([
      null,
      [0, 9],
      1.5,
      2,
      'b',
      { a: 1 },
      true,
      new Date(0),
    ]);
    const desc = await c
      .find({}, { projection: { _id: 0, v: 1 } })
      .sort({ v: -1 })
      .toArray();
    expect(desc.map((d) => d.v as unknown)).toEqual([
      new Date(0),
      true,
      { a: 1 },
      'b',
      [0, 9],
      2,
      1.5,
      null,
    ]);
  });

  it('when matching by ObjectId, Date and nested arrays, then equality follows BSON semantics', async () => {
    const c = env.db.collection('bson_match');
    const owner = new ObjectId();
    await c.insertMany([
      { owner, at: new Date('2024-05-01'), tags: ['x', 'y'], lines: [{ sku: 'a' }, { sku: 'b' }] },
      { owner: new ObjectId(), at: new Date('2024-06-01'), tags: ['z'], lines: [] },
    ]);
    expect(await c.countDocuments({ owner: new ObjectId(owner.toHexString()) })).toBe(1);
    expect(await c.countDocuments({ at: { $lt: new Date('2024-05-15') } })).toBe(1);
    expect(await c.countDocuments({ tags: 'y' })).toBe(1);
    expect(await c.countDocuments({ 'lines.sku': 'b' })).toBe(1);
    expect(await c.countDocuments({ owner: { $in: [owner] } })).toBe(1);
  });

  it('when $eq has a document operand, then only fields equal to that whole document match', async () => {
    const c = env.db.collection('eq_document');
    await c.insertMany([
      { _id: 1 as unknown as ObjectId, a: { b: 1 } },
      { _id: 2 as unknown as ObjectId, a: 2 },
      { _id: 3 as unknown as ObjectId, a: { b: 1, c: 2 } },
      { _id: 4 as unknown as ObjectId, a: { $gt: 5 } },
      { _id: 5 as unknown as ObjectId, a: 10 },
    ]);
    const ids = async (filter: Record<string, unknown>) =>
      (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id as unknown);
    expect(await ids({ a: { $eq: { b: 1 } } })).toEqual([1]);
    // An operator-shaped operand is a literal too, not a range: 10 is not `{$gt: 5}`.
    expect(await ids({ a: { $eq: { $gt: 5 } } })).toEqual([4]);
  });
});

describe('client bulkWrite (MongoDB 8.0 command)', () => {
  it('when mixed writes span two collections, then each is applied and counted', async (ctx) => {
    const info = await env.client.db('admin').command({ buildInfo: 1 });
    if (Number((info.versionArray as number[])[0]) < 8) ctx.skip();
    const a = `${env.dbName}.bulk_a`;
    const b = `${env.dbName}.bulk_b`;
    await env.db.collection('bulk_b').insertOne({ k: 'old' });
    const res = await env.client.bulkWrite<Record<string, Record<string, unknown>>>(
      [
        { namespace: a, name: 'insertOne', document: { k: 1 } },
        { namespace: a, name: 'insertOne', document: { k: 2 } },
        { namespace: a, name: 'updateMany', filter: {}, update: { $set: { seen: true } } },
        {
          namespace: b,
          name: 'updateOne',
          filter: { k: 'new' },
          update: { $set: { v: 1 } },
          upsert: true,
        },
        { namespace: b, name: 'deleteOne', filter: { k: 'old' } },
      ],
      { verboseResults: true },
    );
    expect(res).toMatchObject({
      insertedCount: 2,
      matchedCount: 2,
      modifiedCount: 2,
      upsertedCount: 1,
      deletedCount: 1,
    });
    expect(res.updateResults?.get(3)?.upsertedId).toBeDefined();
    expect(await env.db.collection('bulk_a').countDocuments({ seen: true })).toBe(2);
    expect(
      await env.db
        .collection('bulk_b')
        .find({}, { projection: { _id: 0 } })
        .toArray(),
    ).toEqual([{ k: 'new', v: 1 }]);
  });
});

describe('collections and databases', () => {
  it('when a collection is created twice, then the second create fails with NamespaceExists (48)', async () => {
    await env.db.createCollection('made');
    const err = await env.db.command({ create: 'made' }).catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(48);
    const names = (await env.db.listCollections({}, { nameOnly: true }).toArray()).map(
      (c) => c.name,
    );
    expect(names).toContain('made');
    const filtered = await env.db.listCollections({ name: 'made' }).toArray();
    expect(filtered).toHaveLength(1);
    expect(filtered[0]).toMatchObject({ name: 'made', type: 'collection' });
  });

  it('when a collection is dropped or renamed, then listCollections reflects it', async () => {
    const c = env.db.collection('to_rename');
    await c.insertOne({ a: 1 });
    await c.rename('renamed');
    expect(await env.db.collection('renamed').countDocuments()).toBe(1);
    expect(await env.db.collection('renamed').drop()).toBe(true);
    const names = (await env.db.listCollections({}, { nameOnly: true }).toArray()).map(
      (x) => x.name,
    );
    expect(names).not.toContain('renamed');
    expect(names).not.toContain('to_rename');
  });

  it('when a database is dropped, then it disappears from listDatabases', async () => {
    const other = env.client.db(`${env.dbName}_tmp`);
    await other.collection('x').insertOne({ a: 1 });
    const before = await env.client.db('admin').admin().listDatabases({ nameOnly: true });
    expect(before.databases.map((d) => d.name as unknown)).toContain(`${env.dbName}_tmp`);
    await other.dropDatabase();
    const after = await env.client.db('admin').admin().listDatabases({ nameOnly: true });
    expect(after.databases.map((d) => d.name as unknown)).not.toContain(`${env.dbName}_tmp`);
  });
});

describe('CRUD through mongoose', () => {
  const productSchema = new Schema(
    {
      title: { type: String, required: true },
      price: Number,
      owner: Schema.Types.ObjectId,
      tags: [String],
      variants: [{ name: String, stock: Number }],
      publishedAt: Date,
    },
    { timestamps: true },
  );

  it('when documents are created, queried, updated and deleted, then mongoose sees consistent data', async () => {
    const Product = env.conn.model('Product', productSchema);
    await Product.init();
    const owner = new ObjectId();
    const created = await Product.create([
      {
        title: 'A',
        price: 10,
        owner,
        tags: ['t1'],
        variants: [{ name: 'S', stock: 1 }],
        publishedAt: new Date(),
      },
      { title: 'B', price: 20, owner, tags: ['t2'] },
      { title: 'C', price: 30, owner: new ObjectId() },
    ]);
    expect(created).toHaveLength(3);
    const found = await Product.find({ owner }).sort({ price: -1 }).select('title price').lean();
    expect(found.map((p) => p.title as unknown)).toEqual(['B', 'A']);
    const byId = await Product.findById(created[0]?._id).lean();
    expect(byId?.createdAt).toBeInstanceOf(Date);
    expect(byId?.variants[0]?.stock).toBe(1);
    const upd = await Product.updateOne(
      { _id: created[0]?._id },
      { $inc: { 'variants.0.stock': 2 } },
    );
    expect(upd.modifiedCount).toBe(1);
    expect((await Product.findById(created[0]?._id).lean())?.variants[0]?.stock).toBe(3);
    const doc = await Product.findOne({ title: 'C' });
    expect(doc).not.toBeNull();
    if (doc) {
      doc.price = 35;
      await doc.save();
    }
    expect((await Product.findOne({ title: 'C' }).lean())?.price).toBe(35);
    expect(await Product.countDocuments({ price: { $gte: 20 } })).toBe(2);
    expect((await Product.deleteMany({ owner })).deletedCount).toBe(2);
    expect(await Product.estimatedDocumentCount()).toBe(1);
  });

  it('when a model initialises twice on an existing collection, then init succeeds', async () => {
    const A = env.conn.model('Reinit', new Schema({ k: String }), 'reinit');
    await A.init();
    await A.create({ k: 'x' });
    const B = env.conn.model('Reinit2', new Schema({ k: String }), 'reinit');
    await B.init();
    expect(await B.countDocuments()).toBe(1);
  });
});
