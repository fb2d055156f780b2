import { MongoClient, MongoServerError, type Db, type MongoClientOptions } from 'mongodb';
import mongoose from 'mongoose';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { uniqueName } from '../../src/test-harness/test-config.ts';
import { withDatabase } from '../../src/test-harness/mongo-url.ts';

/** What a test file gets: the raw driver and a mongoose connection, both on its own database. */
export interface MongoTestEnv {
  url: string;
  dbName: string;
  client: MongoClient;
  db: Db;
  conn: mongoose.Connection;
  /** Opens an extra driver client (closed after the file). */
  newClient(options?: MongoClientOptions): Promise<MongoClient>;
}

/**
 * Connects to the run's MongoDB (MONGO_URL, or the in-repo server the global setup started)
 * with a fresh database named after `prefix`, and cleans up after the file.
 */
export function useMongo(prefix: string): MongoTestEnv {
  const extra: MongoClient[] = [];
  const env = {} as MongoTestEnv;
  env.newClient = async (options = {}) => {
    const c = new MongoClient(env.url, { serverSelectionTimeoutMS: 5000, ...options });
    await c.connect();
    extra.push(c);
    return c;
  };
  beforeAll(async () => {
    env.url = inject('mongoUrl');
    env.dbName = uniqueName(prefix);
    env.client = new MongoClient(env.url, { serverSelectionTimeoutMS: 5000, maxPoolSize: 20 });
    await env.client.connect();
    env.db = env.client.db(env.dbName);
    env.conn = await mongoose
      .createConnection(withDatabase(env.url, env.dbName), { serverSelectionTimeoutMS: 5000 })
      .asPromise();
  });
  afterAll(async () => {
    await env.db?.dropDatabase();
    await env.conn?.close();
    await Promise.all(extra.map((c) => c.close()));
    await env.client?.close();
  });
  return env;
}

/** The error `p` rejects with, asserted to be a server error (null if it resolved). */
export async function serverFailure(p: Promise<unknown>): Promise<MongoServerError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MongoServerError);
  return err as MongoServerError;
}

/**
 * For a feature the in-repo server may not implement: the answer must pass `check` (what mongod
 * answers), or the command must be refused with CommandNotSupported (115) and an errmsg naming
 * the feature. Anything else, above all a different answer without an error, fails.
 */
export async function answerOrRefusal<T>(
  p: Promise<T>,
  feature: RegExp,
  check: (value: T) => void | Promise<void>,
): Promise<void> {
  const outcome = await p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) {
    await check(outcome.value);
    return;
  }
  expect(outcome.error).toBeInstanceOf(MongoServerError);
  const err = outcome.error as MongoServerError;
  expect({ code: err.code, codeName: err.codeName }).toEqual({
    code: 115,
    codeName: 'CommandNotSupported',
  });
  expect(err.message).toMatch(feature);
}
