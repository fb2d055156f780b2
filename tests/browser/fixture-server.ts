import { once } from 'node:events';
import {
  createServer as createHttpServer,
  type OutgoingHttpHeaders,
  type RequestListener,
  type Server,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

// Serves fixed pages on 127.0.0.1 for tests of the browser tooling itself (the harness, the
// Lighthouse runner). Tests of the product run against the real stack instead.

/** One response: the body and the headers sent with it (a CSP, say). */
export interface FixtureResponse {
  body: string | Buffer;
  headers?: OutgoingHttpHeaders;
}

export interface FixtureServer {
  /** `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`, without a trailing slash. */
  origin: string;
  /** Stops listening and closes every connection. */
  stop: () => Promise<void>;
}

/**
 * Starts a server answering each path in `routes` with its response and anything else with 404.
 * With `tls` it speaks HTTPS (the dev certificate names 127.0.0.1 too).
 */
export async function startFixtureServer(
  routes: Record<string, FixtureResponse>,
  opts: { tls?: { cert: Buffer; key: Buffer } } = {},
): Promise<FixtureServer> {
  const handler: RequestListener = (req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(route.body),
      'cache-control': 'no-store',
      ...route.headers,
    });
    res.end(route.body);
  };
  const server: Server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler)
    : createHttpServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    stop: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
