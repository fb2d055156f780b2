import type { Collection, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { answerOrRefusal, serverFailure, useMongo } from './mongo-test-env.ts';

// Features the in-repo server does not implement must be refused with CommandNotSupported (115)
// naming them, never answered differently from mongod. Each test states mongod's answer; the
// in-repo server passes by refusing, a real mongod by answering.
const env = useMongo('mongo_unsupported');

/** Case-insensitive comparison: 'alpha' equals 'Alpha'. */
const CI = { locale: 'en', strength: 2 };

interface Seed {
  _id: number;
  n?: string;
  k?: number;
  s?: number;
  hit?: boolean;
  first?: boolean;
}

async function seeded(name: string): Promise<Collection<Seed>> {
  const c = env.db.collection<Seed>(name);
  await c.insertMany([
    { _id: 1, n: 'Alpha', k: 1 },
    { _id: 2, n: 'beta', k: 2 },
  ]);
  return c;
}

describe('collation', () => {
  it('when find has a case-insensitive collation, then it matches regardless of case or is refused', async () => {
    const c = await seeded('coll_find');
    await answerOrRefusal(
      c.find({ n: 'alpha' }, { collation: CI }).toArray(),
      /collation/,
      (docs) => expect(docs.map((d) => d._id)).toEqual([1]),
    );
  });

  it('when count has a case-insensitive collation, then it counts the match or is refused', async () => {
    await seeded('coll_count');
    await answerOrRefusal(
      env.db.command({ count: 'coll_count', query: { n: 'alpha' }, collation: CI }),
      /collation/,
      (reply) => expect(reply.n).toBe(1),
    );
  });

  it('when distinct has a case-insensitive collation, then its query matches or it is refused', async () => {
    const c = await seeded('coll_distinct');
    await answerOrRefusal(c.distinct('k', { n: 'alpha' }, { collation: CI }), /collation/, (v) =>
      expect(v).toEqual([1]),
    );
  });

  it('when aggregate has a case-insensitive collation, then $match uses it or it is refused', async () => {
    const c = await seeded('coll_aggregate');
    await answerOrRefusal(
      c.aggregate<Document>([{ $match: { n: 'alpha' } }], { collation: CI }).toArray(),
      /collation/,
      (docs) => expect(docs.map((d): unknown => d._id)).toEqual([1]),
    );
  });

  it('when findOneAndUpdate has a case-insensitive collation, then it updates the match or is refused', async () => {
    const c = await seeded('coll_fam');
    await answerOrRefusal(
      c.findOneAndUpdate(
        { n: 'alpha' },
        { $set: { hit: true } },
        { collation: CI, returnDocument: 'after' },
      ),
      /collation/,
      (doc) => expect(doc).toEqual({ _id: 1, n: 'Alpha', k: 1, hit: true }),
    );
  });

  it('when updateOne and deleteOne have a case-insensitive collation, then they match or are refused', async () => {
    const c = await seeded('coll_writes');
    await answerOrRefusal(
      c.updateOne({ n: 'alpha' }, { $set: { hit: true } }, { collation: CI }),
      /collation/,
      (res) => expect(res.matchedCount).toBe(1),
    );
    await answerOrRefusal(c.deleteOne({ n: 'BETA' }, { collation: CI }), /collation/, (res) =>
      expect(res.deletedCount).toBe(1),
    );
  });

  it('when an update batch has one statement with a collation, then no statement runs or all do', async () => {
    const c = await seeded('coll_batch');
    await answerOrRefusal(
      c.bulkWrite([
        { updateOne: { filter: { n: 'beta' }, update: { $set: { first: true } } } },
        { updateOne: { filter: { n: 'alpha' }, update: { $set: { hit: true } }, collation: CI } },
      ]),
      /collation/,
      (res) => expect(res.modifiedCount).toBe(2),
    );
    const changed = await c.countDocuments({ $or: [{ first: true }, { hit: true }] });
    expect([0, 2]).toContain(changed);
  });

  it('when a client bulkWrite operation has a collation, then it matches or is refused', async (ctx) => {
    const info = await env.client.db('admin').command({ buildInfo: 1 });
    if (Number((info.versionArray as number[])[0]) < 8) ctx.skip();
    await seeded('coll_client_bulk');
    await answerOrRefusal(
      env.client
        .bulkWrite([
          {
            namespace: `${env.dbName}.coll_client_bulk`,
            name: 'updateOne',
            filter: { n: 'alpha' },
            update: { $set: { hit: true } },
            collation: CI,
          },
        ])
        // The driver wraps a refused command in MongoClientBulkWriteError, the server's error as cause.
        .catch((err: unknown) => {
          throw (err as { cause?: unknown }).cause ?? err;
        }),
      /collation/,
      (res) => expect(res.matchedCount).toBe(1),
    );
  });

  it('when a unique index has a case-insensitive collation, then case variants collide or it is refused', async () => {
    const c = await seeded('coll_index');
    await answerOrRefusal(
      c.createIndex({ n: 1 }, { unique: true, collation: CI }),
      /collation/,
      async () => {
        const err = await serverFailure(c.insertOne({ _id: 3, n: 'ALPHA' }));
        expect(err.code).toBe(11000);
      },
    );
  });

  it('when a collection is created with a default collation, then queries use it or create is refused', async () => {
    await answerOrRefusal(
      env.db.createCollection('coll_default', { collation: CI }),
      /collation/,
      async (c) => {
        await c.insertOne({ n: 'Alpha' });
        expect(await c.countDocuments({ n: 'alpha' })).toBe(1);
      },
    );
  });

  it('when the collation is the simple one, then it is accepted and compares binary', async () => {
    const c = await seeded('coll_simple');
    const simple = { locale: 'simple' };
    expect(await c.find({ n: 'alpha' }, { collation: simple }).toArray()).toEqual([]);
    expect(await c.countDocuments({ n: 'Alpha' }, { collation: simple })).toBe(1);
    await c.createIndex({ n: 1 }, { collation: simple });
    await env.db.createCollection('coll_simple_default', { collation: simple });
  });
});

describe('create options', () => {
  it('when a collection has a validator, then invalid documents are refused or create is', async () => {
    await answerOrRefusal(
      env.db.createCollection('validated', { validator: { qty: { $gte: 0 } } }),
      /validator/,
      async (c) => {
        const err = await serverFailure(c.insertOne({ qty: -1 }));
        expect(err.code).toBe(121);
      },
    );
  });

  it('when create names viewOn and a pipeline, then a view of the source is made or create is refused', async () => {
    await env.db.collection('view_source').insertMany([{ k: 1 }, { k: 2 }]);
    await answerOrRefusal(
      env.db.createCollection('view_of_source', {
        viewOn: 'view_source',
        pipeline: [{ $match: { k: 2 } }, { $project: { _id: 0 } }],
      }),
      /view/,
      async (v) => expect(await v.find().toArray()).toEqual([{ k: 2 }]),
    );
  });

  it('when a capped collection overflows max, then the oldest documents go or create is refused', async () => {
    await answerOrRefusal(
      env.db.createCollection('capped', { capped: true, size: 4096, max: 2 }),
      /capped/,
      async (c) => {
        await c.insertMany([{ k: 1 }, { k: 2 }, { k: 3 }]);
        const left = await c.find({}, { projection: { _id: 0 } }).toArray();
        expect(left).toEqual([{ k: 2 }, { k: 3 }]);
      },
    );
  });

  it('when create asks for a time-series collection, then one is listed or create is refused', async () => {
    await answerOrRefusal(
      env.db.createCollection('series', { timeseries: { timeField: 't' } }),
      /time-series/,
      async () => {
        const [info] = await env.db.listCollections({ name: 'series' }).toArray();
        expect(info?.type).toBe('timeseries');
      },
    );
  });

  it('when create asks for a clustered collection, then its _id index is clustered or create is refused', async () => {
    await answerOrRefusal(
      env.db.createCollection('clustered', { clusteredIndex: { key: { _id: 1 }, unique: true } }),
      /clustered/,
      async (c) => {
        const [idIndex] = await c.indexes();
        expect(idIndex?.clustered).toBe(true);
      },
    );
  });

  it('when create has expireAfterSeconds without clustering, then it fails', async () => {
    await serverFailure(env.db.command({ create: 'ttl_plain', expireAfterSeconds: 60 }));
    expect(await env.db.listCollections({ name: 'ttl_plain' }).toArray()).toEqual([]);
  });
});

describe('index types', () => {
  it('when a text index is created, then it is listed with its text key or refused', async () => {
    const c = await seeded('text_index');
    await answerOrRefusal(c.createIndex({ n: 'text' }), /text indexes/, async (name) => {
      const spec = (await c.indexes()).find((i) => i.name === name);
      expect(spec?.key).toEqual({ _fts: 'text', _ftsx: 1 });
    });
  });

  it('when a 2dsphere index exists, then a document without a geometry is refused or the index is', async () => {
    const c = env.db.collection('geo_index');
    await answerOrRefusal(c.createIndex({ loc: '2dsphere' }), /2dsphere/, async () => {
      const err = await serverFailure(c.insertOne({ loc: 'nowhere' }));
      expect(err.code).toBe(16755);
    });
  });

  it('when an index key names an unknown type, then createIndexes fails with CannotCreateIndex (67)', async () => {
    const c = await seeded('unknown_index_type');
    const err = await serverFailure(c.createIndex({ n: 'frobnicate' } as never));
    expect(err.code).toBe(67);
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });
});

describe('query options', () => {
  it('when hint names an ordinary index the answer is unchanged, and a missing index fails with BadValue (2)', async () => {
    const c = await seeded('hint_plain');
    await c.createIndex({ k: 1 });
    expect(await c.find({ k: { $gte: 2 } }, { hint: { k: 1 } }).toArray()).toEqual([
      { _id: 2, n: 'beta', k: 2 },
    ]);
    expect(await c.countDocuments({}, { hint: 'k_1' })).toBe(2);
    expect((await serverFailure(c.find({}, { hint: 'no_such_index' }).toArray())).code).toBe(2);
    const count = env.db.command({ count: 'hint_plain', hint: 'no_such_index' });
    expect((await serverFailure(count)).code).toBe(2);
    const update = c.updateOne({ _id: 1 }, { $set: { hit: true } }, { hint: 'no_such_index' });
    expect((await serverFailure(update)).code).toBe(2);
    const del = c.deleteOne({ _id: 1 }, { hint: 'no_such_index' });
    expect((await serverFailure(del)).code).toBe(2);
    expect(await c.find({}, { projection: { _id: 1, hit: 1 } }).toArray()).toEqual([
      { _id: 1 },
      { _id: 2 },
    ]);
  });

  it('when hint names a sparse index, then only the documents it holds come back or the hint is refused', async () => {
    const c = await seeded('hint_sparse');
    await c.insertOne({ _id: 3, s: 1 });
    await c.createIndex({ s: 1 }, { sparse: true });
    await answerOrRefusal(c.find({}, { hint: 's_1' }).toArray(), /sparse/, (docs) =>
      expect(docs).toEqual([{ _id: 3, s: 1 }]),
    );
  });

  it('when hint is a reverse $natural, then documents come back newest first or the hint is refused', async () => {
    const c = await seeded('hint_natural');
    await answerOrRefusal(c.find({}, { hint: { $natural: -1 } }).toArray(), /natural/, (docs) =>
      expect(docs.map((d): unknown => d._id)).toEqual([2, 1]),
    );
  });

  it('when find and updateOne use let variables, then $$ names resolve or let is refused', async () => {
    const c = await seeded('let_vars');
    const byVar = { $expr: { $eq: ['$n', '$$v'] } };
    await answerOrRefusal(c.find(byVar, { let: { v: 'beta' } }).toArray(), /let/, (docs) =>
      expect(docs.map((d): unknown => d._id)).toEqual([2]),
    );
    await answerOrRefusal(
      c.updateOne(byVar, { $set: { hit: true } }, { let: { v: 'beta' } }),
      /let/,
      (res) => expect(res.modifiedCount).toBe(1),
    );
  });

  it('when find asks for returnKey, showRecordId or min, then mongod answers them or they are refused', async () => {
    const c = await seeded('find_flags');
    await c.createIndex({ k: 1 });
    await answerOrRefusal(
      c.find({ k: 2 }, { returnKey: true, hint: { k: 1 } }).toArray(),
      /returnKey/,
      (docs) => expect(docs).toEqual([{ k: 2 }]),
    );
    await answerOrRefusal(
      c.find({ _id: 1 }, { showRecordId: true }).toArray(),
      /showRecordId/,
      (docs) => expect(docs[0]).toHaveProperty('$recordId'),
    );
    await answerOrRefusal(
      c.find({}, { hint: { k: 1 }, min: { k: 2 } }).toArray(),
      /min\/max/,
      (docs) => expect(docs.map((d): unknown => d._id)).toEqual([2]),
    );
  });

  it('when find asks for a tailable cursor on a collection that is not capped, then it fails', async () => {
    const c = await seeded('tailable');
    const err = await serverFailure(c.find({}, { tailable: true }).toArray());
    expect([2, 115]).toContain(err.code);
  });

  it('when aggregate is sent with explain: true, then a plan comes back or it is refused, never documents', async () => {
    await seeded('agg_explain');
    await answerOrRefusal(
      env.db.command({ aggregate: 'agg_explain', pipeline: [{ $match: { k: 1 } }], explain: true }),
      /explain/,
      (reply) => expect(reply.cursor).toBeUndefined(),
    );
  });
});

describe('aggregation output stages', () => {
  it('when a pipeline ends in $merge, then the target receives the documents or $merge is refused', async () => {
    const c = await seeded('merge_source');
    await answerOrRefusal(
      c.aggregate([{ $merge: { into: 'merge_target' } }]).toArray(),
      /\$merge/,
      async () => expect(await env.db.collection('merge_target').countDocuments()).toBe(2),
    );
  });

  it('when $out is not the last stage, then the pipeline fails with code 40601', async () => {
    const c = await seeded('out_not_last');
    const err = await serverFailure(
      c.aggregate([{ $out: 'out_target' }, { $match: {} }]).toArray(),
    );
    expect(err.code).toBe(40601);
  });
});

describe('query operators', () => {
  it('when a filter carries $comment, then it only labels the query', async () => {
    const c = await seeded('query_comment');
    expect(await c.find({ k: 2, $comment: 'labelled' }).toArray()).toEqual([
      { _id: 2, n: 'beta', k: 2 },
    ]);
    expect(await c.countDocuments({ $comment: 'labelled' })).toBe(2);
  });

  it('when a filter uses $geoWithin on legacy pairs, then points inside match or the operator is refused', async () => {
    const c = env.db.collection<{ _id: number; loc: number[] }>('query_geo');
    await c.insertMany([
      { _id: 1, loc: [1, 1] },
      { _id: 2, loc: [5, 5] },
    ]);
    await answerOrRefusal(
      c
        .find({
          loc: {
            $geoWithin: {
              $box: [
                [0, 0],
                [2, 2],
              ],
            },
          },
        })
        .toArray(),
      /\$geoWithin/,
      (docs) => expect(docs.map((d) => d._id)).toEqual([1]),
    );
  });
});
