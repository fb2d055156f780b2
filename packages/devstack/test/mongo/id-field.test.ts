import { describe, expect, it } from 'vitest';
import { serverFailure, useMongo } from './mongo-test-env.ts';

const env = useMongo('mongo_id_field');

/** Documents with any `_id`: these tests send the ones mongod refuses. */
interface AnyId {
  _id: unknown;
  [field: string]: unknown;
}

const DOLLAR_IN_ID = /_id fields may not contain '\$'-prefixed fields/;

describe('_id validation', () => {
  it('when an inserted _id holds a $-prefixed field at any depth, then DollarPrefixedFieldName (52) and nothing is stored', async () => {
    const c = env.db.collection<AnyId>('insert_dollar');
    const top = await serverFailure(c.insertOne({ _id: { $a: 1 } }));
    expect(top.code).toBe(52);
    expect(top.message).toMatch(DOLLAR_IN_ID);
    const nested = await serverFailure(c.insertOne({ _id: { a: { $b: 1 } } }));
    expect(nested.code).toBe(52);
    expect(await c.countDocuments()).toBe(0);
  });

  it('when an inserted _id is an array or a regex, then InvalidIdField (53) and nothing is stored', async () => {
    const c = env.db.collection<AnyId>('insert_bad_type');
    expect((await serverFailure(c.insertOne({ _id: [9] }))).code).toBe(53);
    expect((await serverFailure(c.insertOne({ _id: /a/ }))).code).toBe(53);
    expect(await c.countDocuments()).toBe(0);
  });

  it('when $-prefixed fields are outside _id, then the document is stored as sent', async () => {
    const c = env.db.collection<AnyId>('insert_dollar_elsewhere');
    await c.insertOne({ _id: 1, a: { _id: { $b: 1 } }, c: { $d: 2 } });
    expect(await c.findOne({})).toEqual({ _id: 1, a: { _id: { $b: 1 } }, c: { $d: 2 } });
  });

  it('when an upsert would insert an _id with a $-prefixed field, then DollarPrefixedFieldName (52) and nothing is stored', async () => {
    const c = env.db.collection<AnyId>('upsert_dollar');
    const bad = { _id: { $invalid: 1 } };
    const replaced = c.replaceOne({ k: 1 }, bad, { upsert: true });
    expect((await serverFailure(replaced)).code).toBe(52);
    const set = c.updateOne({ k: 1 }, { $set: bad }, { upsert: true });
    expect((await serverFailure(set)).code).toBe(52);
    const onInsert = c.updateOne({ k: 1 }, { $setOnInsert: bad }, { upsert: true });
    expect((await serverFailure(onInsert)).code).toBe(52);
    const fam = c.findOneAndReplace({ k: 1 }, bad, { upsert: true });
    expect((await serverFailure(fam)).code).toBe(52);
    expect(await c.countDocuments()).toBe(0);
  });

  it('when an upserted _id has a $-prefixed field below its first level, then it is stored, as mongod checks only that level', async () => {
    const c = env.db.collection<AnyId>('upsert_dollar_deep');
    const doc = await c.findOneAndReplace(
      { _id: { k: { $deep: 'v' } } },
      { v: 'replaced' },
      { upsert: true, returnDocument: 'after' },
    );
    expect(doc).toEqual({ _id: { k: { $deep: 'v' } }, v: 'replaced' });
  });
});
