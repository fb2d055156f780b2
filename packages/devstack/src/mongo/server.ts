import net from 'node:net';
import { ServerState } from './server-state.ts';
import { Connection } from './wire/connection.ts';

/** Options for {@link startMongoServer}. */
export interface MongoServerOptions {
  /** Port to listen on; 0 or omitted picks a free port. */
  port?: number;
  /** Interface to bind; defaults to 127.0.0.1. */
  host?: string;
  /** Receives operational messages (connection errors, malformed messages); silent by default. */
  logger?: (msg: string) => void;
}

/** A running server. */
export interface MongoServerHandle {
  url: string;
  port: number;
  host: string;
  /** Closes every connection and the listener. */
  stop(): Promise<void>;
}

const HOUSEKEEPING_MS = 1000;

/** Starts an in-memory MongoDB-wire-compatible server (dev and tests only). */
export async function startMongoServer(opts: MongoServerOptions = {}): Promise<MongoServerHandle> {
  const log = opts.logger ?? (() => {});
  const state = new ServerState(log);
  const host = opts.host ?? '127.0.0.1';
  const connections = new Set<Connection>();
  let nextId = 1;

  const server = net.createServer((socket) => {
    const conn = new Connection(nextId++, socket, state);
    connections.add(conn);
    state.connectionsOpen++;
    state.connectionsTotal++;
    socket.on('close', () => {
      connections.delete(conn);
      state.connectionsOpen--;
    });
  });
  server.on('error', (err) => log(`mongo: listener error: ${err.message}`));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  // TTL indexes and idle cursors are cleaned up like mongod's background TTL monitor.
  const timer = setInterval(() => {
    const now = Date.now();
    const removed = state.catalog.expire(now);
    if (removed) log(`mongo: TTL removed ${removed} expired document(s)`);
    state.cursors.reap(now);
  }, HOUSEKEEPING_MS);
  timer.unref();

  const address = server.address() as net.AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log(`mongo: listening on ${urlHost}:${address.port}`);
  return {
    url: `mongodb://${urlHost}:${address.port}`,
    port: address.port,
    host: address.address,
    async stop() {
      clearInterval(timer);
      for (const c of connections) c.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
