import mongoose, { type Connection } from 'mongoose';
import type { Config } from '../config/env.schema.ts';
import type { Logger } from '../logging/logger.ts';
import { getOrCreateMetric, promClient, type MetricsRegistry } from '../metrics/registry.ts';

export interface MongoOptions {
  url: string;
  poolSize: number;
  serverSelectionTimeoutMS?: number;
  /** Write concern of every write (default `majority`). */
  writeConcern?: 'majority' | number;
  /** wtimeout of that write concern (default 10 s). */
  writeTimeoutMs?: number;
  /** Retryable writes (default on). */
  retryWrites?: boolean;
  logger: Logger;
  metrics?: MetricsRegistry;
}

/** The connection settings the config describes (the processes' own connections). */
export function mongoOptionsFromConfig(
  config: Pick<
    Config,
    | 'MONGO_URL'
    | 'MONGO_POOL_SIZE'
    | 'MONGO_SERVER_SELECTION_TIMEOUT_MS'
    | 'MONGO_WRITE_CONCERN'
    | 'MONGO_WRITE_TIMEOUT_MS'
    | 'MONGO_RETRY_WRITES'
  >,
): Omit<MongoOptions, 'logger' | 'metrics'> {
  return {
    url: config.MONGO_URL,
    poolSize: config.MONGO_POOL_SIZE,
    serverSelectionTimeoutMS: config.MONGO_SERVER_SELECTION_TIMEOUT_MS,
    writeConcern: config.MONGO_WRITE_CONCERN,
    writeTimeoutMs: config.MONGO_WRITE_TIMEOUT_MS,
    retryWrites: config.MONGO_RETRY_WRITES,
  };
}

/**
 * Opens a mongoose connection (its own, not the mongoose global, so tests can hold several) and
 * exports the driver's pool events as metrics: connections checked out and the wait queue.
 *
 * Past one node (a replica set) the money path depends on three settings made here for every
 * operation: writes acknowledged by a majority (a failover cannot roll back an acknowledged
 * webhook, a `paid` transaction or an order transition), retryable writes (the driver retries a
 * write once across a failover; every write here is idempotent anyway), and reads from the
 * primary (payment decisions, the order state machine's conditional updates and storefront
 * cache fills after an invalidation must see the latest write; a secondary may lag).
 */
export async function createMongoConnection(opts: MongoOptions): Promise<Connection> {
  const conn = mongoose.createConnection(opts.url, {
    maxPoolSize: opts.poolSize,
    minPoolSize: Math.min(2, opts.poolSize),
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 5_000,
    writeConcern: { w: opts.writeConcern ?? 'majority', wtimeoutMS: opts.writeTimeoutMs ?? 10_000 },
    retryWrites: opts.retryWrites ?? true,
    readPreference: 'primary',
    // Indexes are created explicitly by `syncIndexes` at start-up / in migrations, not lazily per model.
    autoIndex: false,
    autoCreate: false,
  });
  conn.on('error', (err: Error) => opts.logger.error('mongodb connection error', { err }));
  conn.on('disconnected', () => opts.logger.warn('mongodb disconnected'));
  conn.on('reconnected', () => opts.logger.info('mongodb reconnected'));
  if (opts.metrics) attachPoolMetrics(conn, opts.metrics);
  await conn.asPromise();
  return conn;
}

function attachPoolMetrics(conn: Connection, registry: MetricsRegistry): void {
  const checkedOut = getOrCreateMetric(
    registry,
    'mongodb_pool_checked_out',
    () =>
      new promClient.Gauge({
        name: 'mongodb_pool_checked_out',
        help: 'MongoDB connections currently checked out of the pool',
        registers: [registry],
      }),
  );
  const waitQueue = getOrCreateMetric(
    registry,
    'mongodb_pool_wait_queue',
    () =>
      new promClient.Gauge({
        name: 'mongodb_pool_wait_queue',
        help: 'Operations currently waiting for a pooled MongoDB connection',
        registers: [registry],
      }),
  );
  const checkedOutMax = getOrCreateMetric(
    registry,
    'mongodb_pool_checked_out_max',
    () =>
      new promClient.Gauge({
        name: 'mongodb_pool_checked_out_max',
        help: 'Most MongoDB connections checked out at once since start',
        registers: [registry],
      }),
  );
  const waitQueueMax = getOrCreateMetric(
    registry,
    'mongodb_pool_wait_queue_max',
    () =>
      new promClient.Gauge({
        name: 'mongodb_pool_wait_queue_max',
        help: 'Longest MongoDB pool wait queue since start',
        registers: [registry],
      }),
  );
  const waitSeconds = getOrCreateMetric(
    registry,
    'mongodb_pool_checkout_wait_seconds',
    () =>
      new promClient.Histogram({
        name: 'mongodb_pool_checkout_wait_seconds',
        help: 'Time spent waiting for a pooled MongoDB connection',
        buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
        registers: [registry],
      }),
  );
  let out = 0;
  let waiting = 0;
  let maxOut = 0;
  let maxWaiting = 0;
  const client = conn.getClient();
  client.on('connectionCheckOutStarted', () => {
    waiting += 1;
    if (waiting > maxWaiting) waitQueueMax.set((maxWaiting = waiting));
    waitQueue.set(waiting);
  });
  client.on('connectionCheckedOut', (ev: { durationMS?: number }) => {
    waiting = Math.max(0, waiting - 1);
    out += 1;
    if (out > maxOut) checkedOutMax.set((maxOut = out));
    waitQueue.set(waiting);
    checkedOut.set(out);
    if (typeof ev.durationMS === 'number') waitSeconds.observe(ev.durationMS / 1000);
  });
  client.on('connectionCheckOutFailed', () => {
    waiting = Math.max(0, waiting - 1);
    waitQueue.set(waiting);
  });
  client.on('connectionCheckedIn', () => {
    out = Math.max(0, out - 1);
    checkedOut.set(out);
  });
}

/** True when the server answers a ping within the driver's timeouts. */
export async function pingMongo(conn: Connection): Promise<boolean> {
  try {
    const db = conn.db;
    if (!db) return false;
    await db.admin().command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}
