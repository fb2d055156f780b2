import type { Connection } from 'mongoose';

/**
 * Sets mongod's `failCommand` failpoint for `command` on one collection (so tests on other
 * databases are not affected). InternalError is not a retryable-write error, so the driver does
 * not hide it. Against a real mongod this needs `--setParameter enableTestCommands=1`.
 */
export async function failCommand(
  conn: Connection,
  command: 'findAndModify' | 'update',
  collection: string,
  mode: { times: number } | 'alwaysOn' | 'off',
): Promise<void> {
  const db = conn.db;
  if (!db) throw new Error('not connected');
  await db.admin().command({
    configureFailPoint: 'failCommand',
    mode,
    data: {
      failCommands: [command],
      namespace: `${db.databaseName}.${collection}`,
      errorCode: 1,
    },
  });
}
