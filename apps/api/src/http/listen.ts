import cluster from 'node:cluster';
import type http from 'node:http';
import net from 'node:net';

// Node takes one new connection per listening socket per turn of its event loop (libuv accepts
// once per readiness event). While a drop keeps thousands of connections busy a turn is long, so
// new visitors queued behind the one socket for seconds while requests on open connections were
// answered at once (docs/load-testing.md, "Where a new visitor waits, measured"). With several
// sockets bound to the port with SO_REUSEPORT, the kernel spreads new connections over them and
// one turn takes a connection from each. Extra sockets hand their connections to the HTTP(S)
// server, which then serves them like its own.

export interface ListenOptions {
  port: number;
  host: string;
  backlog: number;
  /** Listening sockets wanted (1: the server's own socket, as Node does by default). */
  sockets: number;
}

export interface Listening {
  /** Sockets actually listening (1 where SO_REUSEPORT cannot be used; see `socketsFor`). */
  sockets: number;
  /**
   * Stops accepting on every socket; resolves once the extra sockets' connections have all
   * closed (the server's own are awaited by `server.close()` and its idle sweeps).
   */
  closeExtra(): Promise<void>;
  /** Connections open now on all the sockets (Node's own counts: nothing is kept per connection). */
  connections: () => Promise<number>;
}

/**
 * How many sockets to listen on. Several need SO_REUSEPORT's load balancing (Linux) and a fixed
 * port: with port 0, each socket (and each cluster process) would get a port of its own.
 */
export function socketsFor(wanted: number, port: number, platform = process.platform): number {
  return platform === 'linux' && port !== 0 ? Math.max(1, wanted) : 1;
}

function listenOn(
  server: net.Server,
  opts: Omit<ListenOptions, 'sockets'>,
  reusePort: boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(
      {
        port: opts.port,
        host: opts.host,
        backlog: opts.backlog,
        // Each process binds its own sockets (no cluster primary in between).
        ...(reusePort ? { reusePort: true, exclusive: true } : {}),
      },
      () => {
        server.off('error', reject);
        resolve();
      },
    );
  });
}

/**
 * Fails with EADDRINUSE when something listens on the port. SO_REUSEPORT sockets would otherwise
 * share a port with another process of the same user (a second API started by mistake, a stale
 * one) instead of refusing to start, as a single socket does. The cluster primary checks once
 * before forking; its processes then bind alongside each other.
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  const probe = net.createServer();
  await listenOn(probe, { port, host, backlog: 1 }, false);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** Listens `server` on `opts.port` with `socketsFor(opts.sockets, opts.port)` sockets. */
export async function listen(server: http.Server, opts: ListenOptions): Promise<Listening> {
  const sockets = socketsFor(opts.sockets, opts.port);
  const reusePort = sockets > 1;
  if (reusePort && !cluster.isWorker) await assertPortFree(opts.port, opts.host);
  await listenOn(server, opts, reusePort);
  const extra: net.Server[] = [];
  const closeExtra = async (): Promise<void> => {
    await Promise.all(
      extra.map(
        (acceptor) =>
          new Promise<void>((resolve) => {
            acceptor.close(() => resolve());
          }),
      ),
    );
  };
  const connections = async (): Promise<number> => {
    const counts = await Promise.all(
      [server, ...extra].map(
        (s) =>
          new Promise<number>((resolve) => {
            s.getConnections((err, count) => resolve(err ? 0 : count));
          }),
      ),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  };
  try {
    for (let i = 1; i < sockets; i++) {
      // The options the HTTP server applies to the connections it accepts itself.
      const acceptor = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
        server.emit('connection', socket);
      });
      extra.push(acceptor);
      await listenOn(acceptor, opts, true);
    }
  } catch (err) {
    await closeExtra();
    throw err;
  }
  return { sockets, closeExtra, connections };
}
