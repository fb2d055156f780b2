import { MongoNetworkError, MongoServerError, type MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { useMongo } from './mongo-test-env.ts';

const env = useMongo('mongo_failpoints');

// Every failpoint is scoped to this file's clients by appName: test files run in parallel
// against the same server, and failCommand is server-wide.
const APP = `fp-${process.pid}-${Date.now()}`;

async function failCommand(mode: unknown, data: Record<string, unknown>): Promise<void> {
  await env.client
    .db('admin')
    .command({ configureFailPoint: 'failCommand', mode, data: { appName: APP, ...data } });
}

async function victim(extra: Record<string, unknown> = {}): Promise<MongoClient> {
  return env.newClient({ appName: APP, retryReads: false, retryWrites: false, ...extra });
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('failCommand failpoint', () => {
  afterEach(async () => {
    await env.client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
  });

  it('when set for one time with an error code, then the next matching command fails once', async () => {
    const client = await victim();
    const c = client.db(env.dbName).collection('once');
    await c.insertOne({ a: 1 });
    await failCommand({ times: 1 }, { failCommands: ['find'], errorCode: 2 });
    const err = await failure(c.findOne({}));
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(2);
    expect(await c.findOne({})).toMatchObject({ a: 1 });
  });

  it('when alwaysOn, then every matching command fails until the failpoint is turned off', async () => {
    const client = await victim();
    const c = client.db(env.dbName).collection('always');
    await failCommand('alwaysOn', { failCommands: ['insert'], errorCode: 2 });
    for (let i = 0; i < 3; i++)
      expect(((await failure(c.insertOne({ i }))) as MongoServerError).code).toBe(2);
    await env.client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    await c.insertOne({ ok: true });
    expect(await c.countDocuments()).toBe(1);
  });

  it('when errorLabels are configured, then the error carries them', async () => {
    const client = await victim();
    await failCommand(
      { times: 1 },
      { failCommands: ['aggregate'], errorCode: 112, errorLabels: ['TransientTransactionError'] },
    );
    const err = (await failure(
      client.db(env.dbName).collection('labels').aggregate([]).toArray(),
    )) as MongoServerError;
    expect(err.code).toBe(112);
    expect(err.hasErrorLabel('TransientTransactionError')).toBe(true);
  });

  it('when closeConnection is set, then the command fails with a network error and later commands work', async () => {
    const client = await victim();
    const c = client.db(env.dbName).collection('closed');
    await failCommand({ times: 1 }, { failCommands: ['insert'], closeConnection: true });
    const err = await failure(c.insertOne({ a: 1 }));
    expect(err).toBeInstanceOf(MongoNetworkError);
    await c.insertOne({ a: 2 });
    expect(await c.countDocuments({ a: 2 })).toBe(1);
  });

  it('when blockConnection is set, then that command is delayed while other clients are served', async () => {
    const client = await victim();
    await failCommand(
      { times: 1 },
      { failCommands: ['find'], blockConnection: true, blockTimeMS: 400 },
    );
    const started = Date.now();
    const slow = client.db(env.dbName).collection('blocked').findOne({});
    const pingStarted = Date.now();
    await env.client.db('admin').command({ ping: 1 });
    const pingMs = Date.now() - pingStarted;
    await slow;
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(pingMs).toBeLessThan(350);
  });

  it('when a failpoint names another appName, then other clients are not affected', async () => {
    const bystander = await env.newClient({ appName: `${APP}-other`, retryReads: false });
    await failCommand('alwaysOn', { failCommands: ['find'], errorCode: 2 });
    expect(await bystander.db(env.dbName).collection('bystander').findOne({})).toBeNull();
  });

  it('when a failpoint lists commands, then unlisted commands run normally', async () => {
    const client = await victim();
    await failCommand('alwaysOn', { failCommands: ['delete'], errorCode: 2 });
    const c = client.db(env.dbName).collection('unlisted');
    await c.insertOne({ a: 1 });
    expect(await c.countDocuments()).toBe(1);
    expect(((await failure(c.deleteOne({ a: 1 }))) as MongoServerError).code).toBe(2);
  });

  it('when configureFailPoint runs outside admin, then it is refused', async () => {
    const err = await failure(env.db.command({ configureFailPoint: 'failCommand', mode: 'off' }));
    expect(err).toBeInstanceOf(MongoServerError);
  });
});
