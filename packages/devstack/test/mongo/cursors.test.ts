import { Long, MongoServerError, type CommandStartedEvent } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useMongo } from './mongo-test-env.ts';

const env = useMongo('mongo_cursors');

/** Runs a command keeping int64 values as Long (cursor ids are int64 on the wire). */
async function run(cmd: Record<string, unknown>): Promise<CursorReply> {
  return (await env.db.command(cmd, { promoteLongs: false })) as CursorReply;
}

interface CursorReply {
  cursor: { id: Long; ns: string; firstBatch?: { i: number }[]; nextBatch?: { i: number }[] };
  ok: number;
}

describe('cursors', () => {
  beforeAll(async () => {
    await env.db.collection('items').insertMany(Array.from({ length: 55 }, (_, i) => ({ i })));
  });

  it('when a find is read in batches, then getMore continues it until every document is seen', async () => {
    const client = await env.newClient({ monitorCommands: true });
    const started: string[] = [];
    client.on('commandStarted', (e: CommandStartedEvent) => started.push(e.commandName));
    const docs = await client
      .db(env.dbName)
      .collection('items')
      .find({}, { batchSize: 10 })
      .sort({ i: 1 })
      .toArray();
    expect(docs.map((d) => d.i as unknown)).toEqual(Array.from({ length: 55 }, (_, i) => i));
    expect(started.filter((n) => n === 'getMore')).toHaveLength(5);
  });

  it('when a find cursor is opened with the raw command, then ids are Longs and the namespace is db.coll', async () => {
    const first = await run({
      find: 'items',
      filter: { i: { $lt: 5 } },
      sort: { i: 1 },
      batchSize: 2,
    });
    expect(first.cursor.id).toBeInstanceOf(Long);
    expect(first.cursor.id.isZero()).toBe(false);
    expect(first.cursor.ns).toBe(`${env.dbName}.items`);
    expect(first.cursor.firstBatch?.map((d) => d.i as unknown)).toEqual([0, 1]);
    const next = await run({ getMore: first.cursor.id, collection: 'items', batchSize: 2 });
    expect(next.cursor.nextBatch?.map((d) => d.i as unknown)).toEqual([2, 3]);
    expect(next.cursor.id.equals(first.cursor.id)).toBe(true);
    const last = await run({ getMore: first.cursor.id, collection: 'items', batchSize: 2 });
    expect(last.cursor.nextBatch?.map((d) => d.i as unknown)).toEqual([4]);
    expect(last.cursor.id.isZero()).toBe(true);
  });

  it('when a cursor is killed, then killCursors reports it and a later getMore fails with CursorNotFound', async () => {
    const first = await run({ find: 'items', batchSize: 1 });
    const id = first.cursor.id;
    const killed = await env.db.command({
      killCursors: 'items',
      cursors: [id, Long.fromNumber(123456789)],
    });
    expect((killed.cursorsKilled as Long[]).map(String)).toEqual([id.toString()]);
    expect((killed.cursorsNotFound as Long[]).map(String)).toEqual(['123456789']);
    expect(killed.cursorsAlive).toEqual([]);
    expect(killed.cursorsUnknown).toEqual([]);
    const err = await env.db.command({ getMore: id, collection: 'items' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(43);
  });

  it('when a limit, negative limit or singleBatch fits the batch, then no cursor is left open', async () => {
    const limited = await run({ find: 'items', limit: 3, batchSize: 10 });
    expect(limited.cursor.firstBatch).toHaveLength(3);
    expect(limited.cursor.id.isZero()).toBe(true);
    const single = await run({ find: 'items', batchSize: 4, singleBatch: true });
    expect(single.cursor.firstBatch).toHaveLength(4);
    expect(single.cursor.id.isZero()).toBe(true);
    const negative = await run({ find: 'items', limit: -6 });
    expect(negative.cursor.firstBatch).toHaveLength(6);
    expect(negative.cursor.id.isZero()).toBe(true);
  });

  it('when batchSize is 0, then the cursor opens empty and getMore returns the documents', async () => {
    const first = await run({ find: 'items', filter: { i: { $lt: 3 } }, batchSize: 0 });
    expect(first.cursor.firstBatch).toEqual([]);
    expect(first.cursor.id.isZero()).toBe(false);
    const rest = await run({ getMore: first.cursor.id, collection: 'items' });
    expect(rest.cursor.nextBatch).toHaveLength(3);
    expect(rest.cursor.id.isZero()).toBe(true);
  });

  it('when no batch size is given, then the first batch holds 101 documents', async () => {
    await env.db.collection('many').insertMany(Array.from({ length: 150 }, (_, i) => ({ i })));
    const first = await run({ find: 'many' });
    expect(first.cursor.firstBatch).toHaveLength(101);
    const rest = await run({ getMore: first.cursor.id, collection: 'many' });
    expect(rest.cursor.nextBatch).toHaveLength(49);
    expect(rest.cursor.id.isZero()).toBe(true);
  });

  it('when a cursor is closed early, then the driver kills it on the server', async () => {
    const client = await env.newClient({ monitorCommands: true });
    const started: string[] = [];
    client.on('commandStarted', (e: CommandStartedEvent) => started.push(e.commandName));
    const cursor = client.db(env.dbName).collection('items').find({}, { batchSize: 5 });
    const first = await cursor.next();
    expect(first).not.toBeNull();
    await cursor.close();
    expect(started).toContain('killCursors');
  });

  it('when an aggregate returns more than a batch, then its cursor is paged with getMore', async () => {
    const docs = await env.db
      .collection('items')
      .aggregate([{ $match: { i: { $gte: 10 } } }, { $project: { _id: 0, i: 1 } }], {
        batchSize: 7,
      })
      .toArray();
    expect(docs).toHaveLength(45);
  });

  it('when a cursor is iterated with a mongoose query cursor, then every document arrives once', async () => {
    const M = env.conn.model(
      'CursorItem',
      new (await import('mongoose')).Schema({ i: Number }),
      'items',
    );
    const seen: number[] = [];
    for await (const doc of M.find().sort({ i: -1 }).batchSize(8).lean().cursor())
      seen.push(doc.i as number);
    expect(seen).toEqual(Array.from({ length: 55 }, (_, i) => 54 - i));
  });
});
