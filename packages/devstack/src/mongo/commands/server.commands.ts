import os from 'node:os';
import { UUID } from 'bson';
import { CommandError, ErrorCode } from '../errors.ts';
import type { Doc } from '../storage/key-encoding.ts';
import type { CommandContext, CommandHandler } from './command.types.ts';

/** The mongod release this server answers as (wire version 25 = MongoDB 8.0). */
export const SERVER_VERSION = '8.0.0';
const MAX_WIRE_VERSION = 25;

/** The reply to hello / isMaster; `legacy` selects the isMaster field name. */
export function helloReply(ctx: CommandContext, legacy: boolean): Doc {
  return {
    helloOk: true,
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.conn.id,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

const ok: CommandHandler = () => ({ ok: 1 });

const noTransactions: CommandHandler = () => {
  throw new CommandError(
    ErrorCode.IllegalOperation,
    'Transaction numbers are only allowed on a replica set member or mongos',
  );
};

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'in-memory',
  versionArray: [8, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['inMemory'],
  modules: [],
  ok: 1,
});

const hostInfo: CommandHandler = () => ({
  system: {
    currentTime: new Date(),
    hostname: os.hostname(),
    cpuAddrSize: 64,
    memSizeMB: Math.round(os.totalmem() / 1048576),
    numCores: os.cpus().length,
    cpuArch: os.arch(),
  },
  os: { type: os.type(), name: os.type(), version: os.release() },
  extra: {},
  ok: 1,
});

const getParameter: CommandHandler = (ctx) => {
  const known: Doc = {
    featureCompatibilityVersion: { version: '8.0' },
    authenticationMechanisms: [],
    logLevel: 0,
  };
  if (ctx.body.getParameter === '*') return { ...known, ok: 1 };
  const out: Doc = {};
  for (const k of Object.keys(ctx.body)) if (k in known) out[k] = known[k];
  return { ...out, ok: 1 };
};

const serverStatus: CommandHandler = (ctx) => ({
  host: os.hostname(),
  version: SERVER_VERSION,
  process: 'mongod',
  pid: process.pid,
  uptime: Math.floor((Date.now() - ctx.state.startedAt) / 1000),
  localTime: new Date(),
  connections: {
    current: ctx.state.connectionsOpen,
    totalCreated: ctx.state.connectionsTotal,
    available: 1_000_000,
  },
  metrics: {
    cursor: { open: { total: ctx.state.cursors.size } },
    commands: Object.fromEntries(ctx.state.commandCounts),
  },
  ok: 1,
});

/** Server, session and test-support commands by name. */
export const serverCommands: Record<string, CommandHandler> = {
  hello: (ctx) => helloReply(ctx, false),
  isMaster: (ctx) => helloReply(ctx, true),
  ismaster: (ctx) => helloReply(ctx, true),
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  hostInfo,
  getParameter,
  // Accepted so tests can tune mongod (e.g. ttlMonitorSleepSecs); nothing here needs tuning.
  setParameter: () => ({ ok: 1 }),
  serverStatus,
  endSessions: ok,
  killSessions: ok,
  killAllSessions: ok,
  refreshSessions: ok,
  startSession: () => ({ id: { id: new UUID() }, timeoutMinutes: 30, ok: 1 }),
  commitTransaction: noTransactions,
  abortTransaction: noTransactions,
  connectionStatus: () => ({
    authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
    ok: 1,
  }),
  whatsmyuri: (ctx) => ({ you: ctx.conn.remote, ok: 1 }),
  getCmdLineOpts: () => ({ argv: ['mongod'], parsed: {}, ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  configureFailPoint: (ctx) => {
    if (ctx.db !== 'admin') {
      throw new CommandError(13, 'configureFailPoint may only be run against the admin database.');
    }
    return ctx.state.failPoints.configure(ctx.body);
  },
};
