import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import {
  ForbiddenError,
  metricsAccessCheck,
  pingMongo,
  pingRedis,
  type MetricsRegistry,
  type Redis,
} from '@storefront/shared';

const FORBIDDEN = new ForbiddenError('Metrics are not available to this client').toBody();

/** The worker's small HTTP server: `/healthz`, `/readyz` and `/metrics`. */
export async function startHealthServer(opts: {
  host: string;
  port: number;
  mongo: Connection;
  redis: Redis;
  metrics: MetricsRegistry;
  /** METRICS_TOKEN: `/metrics` follows the API's access policy (docs/security.md). */
  metricsToken: string | undefined;
  isShuttingDown: () => boolean;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const metricsAllowed = metricsAccessCheck(opts.metricsToken);
  const server = http.createServer((req, res) => {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET')
      return send(
        405,
        JSON.stringify({ error: { code: 'METHOD_NOT_ALLOWED', message: 'Use GET' } }),
      );
    if (path === '/healthz') return send(200, JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      void Promise.all([pingMongo(opts.mongo), pingRedis(opts.redis)]).then(([mongo, redis]) => {
        const ready = mongo && redis && !opts.isShuttingDown();
        send(
          ready ? 200 : 503,
          JSON.stringify({ status: ready ? 'ready' : 'not_ready', checks: { mongo, redis } }),
        );
      });
      return;
    }
    if (path === '/metrics') {
      if (!metricsAllowed(req)) {
        return send(403, JSON.stringify(FORBIDDEN));
      }
      void opts.metrics.metrics().then((text) => send(200, text, opts.metrics.contentType));
      return;
    }
    send(
      404,
      JSON.stringify({ error: { code: 'NOT_FOUND', message: `No route for GET ${path}` } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
