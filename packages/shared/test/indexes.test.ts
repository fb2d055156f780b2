import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { testConfig } from '@storefront/devstack/test-harness';
import { createLogger, createMongoConnection, ensureIndexes } from '../src/index.ts';

describe('ensureIndexes', () => {
  let conn: Connection;
  beforeAll(async () => {
    const config = testConfig();
    conn = await createMongoConnection({
      url: config.MONGO_URL,
      poolSize: 2,
      logger: createLogger({ level: 'silent', service: 'test' }),
    });
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('when run twice on an empty database, then the unique keys the app relies on exist', async () => {
    await ensureIndexes(conn);
    await ensureIndexes(conn);
    const db = conn.db!;
    const unique = async (coll: string) =>
      (
        (await db.collection(coll).listIndexes().toArray()) as Array<{
          unique?: boolean;
          key: object;
        }>
      )
        .filter((i) => i.unique === true)
        .map((i) => Object.keys(i.key).join(','));
    expect(await unique('creators')).toEqual(expect.arrayContaining(['username', 'email']));
    expect(await unique('orders')).toContain('gatewayOrderId');
    expect(await unique('transactions')).toContain('dedupeKey');
  });

  it('when two creators claim one username, then the database refuses the second', async () => {
    await ensureIndexes(conn);
    const creators = conn.db!.collection('creators');
    await creators.insertOne({ username: 'same-name', email: 'a@example.com' });
    await expect(
      creators.insertOne({ username: 'same-name', email: 'b@example.com' }),
    ).rejects.toMatchObject({ code: 11000 });
  });
});
