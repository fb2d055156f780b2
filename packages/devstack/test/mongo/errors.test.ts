import net from 'node:net';
import { BSON, MongoServerError } from 'mongodb';
import { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { serverFailure as failure, useMongo } from './mongo-test-env.ts';

const env = useMongo('mongo_errors');

/** The server's own error: the driver wraps code 20 in a "does not support retryable writes" error. */
function serverCause(err: unknown): MongoServerError {
  const original = (err as { originalError?: unknown }).originalError;
  return (original ?? err) as MongoServerError;
}

function hostPort(url: string): { host: string; port: number } {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^:/,]+):(\d+)/.exec(url);
  if (!m) throw new Error(`cannot parse ${url}`);
  return { host: m[1] as string, port: Number(m[2]) };
}

/** Sends raw bytes and resolves when the server closes the socket. */
function sendRaw(bytes: Buffer): Promise<'closed'> {
  const { host, port } = hostPort(env.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('server kept the connection open'));
    }, 5000);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

/** Sends an OP_MSG one byte at a time and returns the decoded reply body. */
function fragmentedHello(): Promise<Record<string, unknown>> {
  const { host, port } = hostPort(env.url);
  const body = BSON.serialize({ hello: 1, $db: 'admin' });
  const msg = Buffer.alloc(21 + body.length);
  msg.writeInt32LE(msg.length, 0);
  msg.writeInt32LE(42, 4);
  msg.writeInt32LE(2013, 12);
  msg.set(body, 21);
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const socket = net.connect(port, host, () => {
      let i = 0;
      const tick = setInterval(() => {
        if (i >= msg.length) return clearInterval(tick);
        socket.write(msg.subarray(i, i + 1));
        i++;
      }, 0);
    });
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 4 && got.length >= got.readInt32LE(0)) {
        socket.destroy();
        expect(got.readInt32LE(8)).toBe(42);
        resolve(BSON.deserialize(got.subarray(21, got.readInt32LE(0))));
      }
    });
  });
}

describe('errors', () => {
  it('when a message arrives in one-byte fragments, then it is reassembled and answered', async () => {
    const reply = await fragmentedHello();
    expect(reply.ok).toBe(1);
    expect(reply.isWritablePrimary).toBe(true);
  });

  it('when an unknown command is sent, then it fails with CommandNotFound (59)', async () => {
    const err = await failure(env.db.command({ definitelyNotACommand: 1 }));
    expect(err.code).toBe(59);
    expect(err.codeName).toBe('CommandNotFound');
  });

  it('when a message has an impossible length, then only that connection is closed', async () => {
    const header = Buffer.alloc(16);
    header.writeInt32LE(8, 0);
    header.writeInt32LE(1, 4);
    header.writeInt32LE(2013, 12);
    await expect(sendRaw(header)).resolves.toBe('closed');
    expect((await env.db.command({ ping: 1 })).ok).toBe(1);
    await env.db.collection('after_bad').insertOne({ still: 'working' });
    expect(await env.db.collection('after_bad').countDocuments()).toBe(1);
  });

  it('when a message is garbage, then the server drops it and keeps serving others', async () => {
    await expect(sendRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).resolves.toBe('closed');
    expect((await env.db.command({ ping: 1 })).ok).toBe(1);
  });

  it('when a transaction is started, then the standalone answer is IllegalOperation (20)', async () => {
    const session = env.client.startSession();
    try {
      session.startTransaction();
      const err = await failure(env.db.collection('txn').insertOne({ a: 1 }, { session }));
      expect(serverCause(err).code).toBe(20);
      expect(serverCause(err).codeName).toBe('IllegalOperation');
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect(await env.db.collection('txn').countDocuments()).toBe(0);
  });

  it('when mongoose runs a transaction, then it fails the same way', async () => {
    const M = env.conn.model('TxnThing', new Schema({ a: Number }));
    await M.init();
    const err = await env.conn
      .transaction(async (session) => {
        await M.create([{ a: 1 }], { session });
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(MongoServerError);
    expect(serverCause(err).code).toBe(20);
  });

  it('when sessions are used without transactions, then commands carrying lsid work', async () => {
    const session = env.client.startSession();
    try {
      const c = env.db.collection('sessions');
      await c.insertOne({ a: 1 }, { session });
      expect(await c.countDocuments({}, { session })).toBe(1);
    } finally {
      await session.endSession();
    }
  });

  it('when an update uses an unknown operator, then it fails with FailedToParse (9)', async () => {
    const c = env.db.collection('bad_update');
    await c.insertOne({ a: 1 });
    const err = await failure(c.updateOne({ a: 1 }, { $frobnicate: { a: 2 } }));
    expect(err.code).toBe(9);
  });

  it('when one update touches the same path twice, then it fails with ConflictingUpdateOperators (40)', async () => {
    const c = env.db.collection('conflict_update');
    await c.insertOne({ a: 1 });
    const err = await failure(c.updateOne({ a: 1 }, { $set: { a: 2 }, $inc: { a: 1 } }));
    expect(err.code).toBe(40);
  });

  it('when $inc targets a string, then it fails with TypeMismatch (14) and the document is unchanged', async () => {
    const c = env.db.collection('inc_string');
    await c.insertOne({ k: 'x', s: 'text' });
    const err = await failure(c.updateOne({ k: 'x' }, { $inc: { s: 1 } }));
    expect(err.code).toBe(14);
    expect((await c.findOne({ k: 'x' }))?.s).toBe('text');
  });

  it('when a query uses an unknown operator, then it fails with BadValue (2)', async () => {
    const c = env.db.collection('bad_query');
    await c.insertOne({ a: 1 });
    const err = await failure(c.find({ a: { $frobnicate: 1 } } as never).toArray());
    expect(err.code).toBe(2);
  });

  it('when a command targets an invalid collection name, then it fails with InvalidNamespace (73)', async () => {
    const err = await failure(env.db.command({ insert: 'bad$name', documents: [{ a: 1 }] }));
    expect(err.code).toBe(73);
  });
});
