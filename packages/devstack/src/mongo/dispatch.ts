import { commands } from './commands/registry.ts';
import { CommandError, codeNameFor, ErrorCode, toCommandError } from './errors.ts';
import type { FailAction } from './failpoints.ts';
import type { ConnectionInfo, ServerState } from './server-state.ts';
import { isPlainObject, type Doc } from './storage/key-encoding.ts';

/** Returned instead of a reply when the connection must be closed (failCommand closeConnection). */
export const CLOSE_CONNECTION = Symbol('closeConnection');

/** A reply document, or the instruction to close the connection. */
export type DispatchResult = Doc | typeof CLOSE_CONNECTION;

function run(state: ServerState, conn: ConnectionInfo, name: string, db: string, body: Doc): Doc {
  const handler = commands.get(name);
  if (!handler) throw new CommandError(ErrorCode.CommandNotFound, `no such command: '${name}'`);
  // A standalone mongod refuses transaction numbers (transactions and retryable writes alike).
  if (
    body.txnNumber !== undefined ||
    body.startTransaction !== undefined ||
    body.autocommit !== undefined
  ) {
    throw new CommandError(
      ErrorCode.IllegalOperation,
      'Transaction numbers are only allowed on a replica set member or mongos',
    );
  }
  return handler({ state, conn, db, body, name });
}

function execute(
  state: ServerState,
  conn: ConnectionInfo,
  name: string,
  db: string,
  body: Doc,
): Doc {
  // Unknown names share one counter, as mongod's `<UNKNOWN>`, so clients cannot grow the map.
  const key = commands.has(name) ? name : '<UNKNOWN>';
  let counts = state.commandCounts.get(key);
  if (!counts) state.commandCounts.set(key, (counts = { total: 0, failed: 0 }));
  counts.total += 1;
  try {
    return run(state, conn, name, db, body);
  } catch (err) {
    counts.failed += 1;
    if (!(err instanceof CommandError))
      state.log(
        `mongo: command ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    return toCommandError(err).toReply();
  }
}

function applyFailure(
  state: ServerState,
  conn: ConnectionInfo,
  name: string,
  db: string,
  body: Doc,
  fail: FailAction,
): DispatchResult {
  if (fail.errorCode !== null) {
    const reply: Doc = {
      ok: 0,
      errmsg: "Failing command via 'failCommand' failpoint",
      code: fail.errorCode,
      codeName: codeNameFor(fail.errorCode),
    };
    if (fail.errorLabels) reply.errorLabels = fail.errorLabels;
    return reply;
  }
  const reply = execute(state, conn, name, db, body);
  if (fail.writeConcernError) reply.writeConcernError = fail.writeConcernError;
  if (fail.errorLabels && reply.ok !== 1) reply.errorLabels = fail.errorLabels;
  return reply;
}

// The handshake names the client application; failCommand's appName filter matches on it.
function rememberAppName(conn: ConnectionInfo, body: Doc): void {
  const client = body.client;
  if (isPlainObject(client) && isPlainObject(client.application)) {
    const name = client.application.name;
    if (typeof name === 'string') conn.appName = name;
  }
}

/**
 * Runs one command. The command itself always runs synchronously (atomic on the documents it
 * touches); only a failpoint's blockConnection delays it.
 */
export function dispatch(
  state: ServerState,
  conn: ConnectionInfo,
  body: Doc,
): DispatchResult | Promise<DispatchResult> {
  const name = Object.keys(body)[0];
  const db = body.$db;
  if (name === undefined)
    return new CommandError(ErrorCode.FailedToParse, 'empty command').toReply();
  if (typeof db !== 'string' || db.length === 0) {
    return new CommandError(40571, 'OP_MSG requests require a $db argument').toReply();
  }
  if (name === 'hello' || name === 'isMaster' || name === 'ismaster') rememberAppName(conn, body);
  const target = body[name];
  const fail = state.failPoints.check(
    name,
    conn.appName,
    typeof target === 'string' ? `${db}.${target}` : db,
  );
  if (!fail) return execute(state, conn, name, db, body);
  if (fail.closeConnection) return CLOSE_CONNECTION;
  if (fail.blockTimeMS > 0) {
    return new Promise((resolve) => {
      setTimeout(() => resolve(applyFailure(state, conn, name, db, body, fail)), fail.blockTimeMS);
    });
  }
  return applyFailure(state, conn, name, db, body, fail);
}
