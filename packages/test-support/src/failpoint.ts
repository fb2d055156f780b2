import type { Connection } from 'mongoose';

/** Which commands fail, where, how often, and with what. */
export interface FailCommandOptions {
  /** The commands to fail (`insert`, `update`, `findAndModify`…). */
  commands: string[];
  /** Only on this collection of the connection's database, so other tests' databases go on. */
  collection: string;
  /** `{ times: n }`: the next n matching commands; `alwaysOn` until turned off. */
  mode: { times: number } | 'alwaysOn';
  /** Only commands from clients with this appName (the default: any client). */
  appName?: string;
  /**
   * The error code (default 1, InternalError: not a retryable-write error, so the driver does not
   * hide it by retrying).
   */
  errorCode?: number;
}

function adminOf(conn: Connection) {
  const db = conn.db;
  if (!db) throw new Error('not connected');
  return { db, admin: db.admin() };
}

/**
 * Sets the server's `failCommand` failpoint: matching commands answer with `errorCode`. The
 * in-repo MongoDB server implements it; a real mongod needs
 * `--setParameter enableTestCommands=1`. Turn it off with `failCommandOff`.
 */
export async function failCommand(conn: Connection, opts: FailCommandOptions): Promise<void> {
  await setFailCommand(conn, opts, { errorCode: opts.errorCode ?? 1 });
}

/**
 * Holds matching commands for `ms` before they run normally (the `failCommand` failpoint's
 * `blockConnection` without an error), to act while a request waits on its read. Turn it off with
 * `failCommandOff` if fewer than `mode.times` commands came.
 */
export async function delayCommand(
  conn: Connection,
  opts: Omit<FailCommandOptions, 'errorCode'> & { ms: number },
): Promise<void> {
  await setFailCommand(conn, opts, { blockConnection: true, blockTimeMS: opts.ms });
}

/** The `failCommand` failpoint on `opts`'s commands and collection, doing what `action` says. */
async function setFailCommand(
  conn: Connection,
  opts: Omit<FailCommandOptions, 'errorCode'>,
  action: Record<string, unknown>,
): Promise<void> {
  const { db, admin } = adminOf(conn);
  await admin.command({
    configureFailPoint: 'failCommand',
    mode: opts.mode,
    data: {
      failCommands: opts.commands,
      namespace: `${db.databaseName}.${opts.collection}`,
      ...action,
      ...(opts.appName === undefined ? {} : { appName: opts.appName }),
    },
  });
}

/** Turns the `failCommand` failpoint off. */
export async function failCommandOff(conn: Connection): Promise<void> {
  await adminOf(conn).admin.command({ configureFailPoint: 'failCommand', mode: 'off' });
}
