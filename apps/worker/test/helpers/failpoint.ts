import type { Connection } from 'mongoose';

/**
 * Sets mongod's `failCommand` failpoint for `findAndModify` on one collection (so tests on other
 * databases are not affected). InternalError is not a retryable-write error, so the driver does
 * not hide it. Against a real mongod this needs `--setParameter enableTestCommands=1`.
 */
export async function failFindAndModify(
  conn: Connection,
  collection: string,
  mode: { times: number } | 'alwaysOn' | 'off',
): Promise<void> {
  const db = conn.db;
  if (!db) throw new Error('not connected');
  await db.admin().command({
    configureFailPoint: 'failCommand',
    mode,
    data: {
      failCommands: ['findAndModify'],
      namespace: `${db.databaseName}.${collection}`,
      errorCode: 1,
    },
  });
}
