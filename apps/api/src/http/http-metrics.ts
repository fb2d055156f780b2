import type { RequestHandler } from 'express';
import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';

/** Records one request in `http_request_duration_seconds` (for responses written outside Express). */
export type ObserveRequest = (
  method: string,
  route: string,
  status: number,
  seconds: number,
) => void;

/**
 * Counts and times every request by method, route pattern (never the raw URL) and status: the
 * middleware for Express, and `observe` for the storefront's hot path (same histogram).
 */
export function createHttpMetrics(registry: MetricsRegistry): {
  middleware: RequestHandler;
  observe: ObserveRequest;
} {
  const duration = getOrCreateMetric(
    registry,
    'http_request_duration_seconds',
    () =>
      new promClient.Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP request duration by method, route pattern and status',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      }),
  );
  const observe: ObserveRequest = (method, route, status, seconds) =>
    duration.observe({ method, route, status: String(status) }, seconds);
  const middleware: RequestHandler = (req, res, next) => {
    const start = performance.now();
    // 'finish' fires at most once; `on` spares the once-wrapper and its removal.
    res.on('finish', () => {
      const route = req.route as { path?: unknown } | undefined;
      const pattern = typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
      observe(req.method, pattern, res.statusCode, (performance.now() - start) / 1000);
    });
    next();
  };
  return { middleware, observe };
}

/**
 * `http_open_connections`: client connections open on this process now (an API cluster sums its
 * processes), read from the server's own counts when scraped. Stands in for `process_open_fds`,
 * which lists every descriptor on each scrape (`PER_HANDLE_DEFAULT_METRICS`).
 */
export function registerOpenConnections(
  registry: MetricsRegistry,
  connections: () => Promise<number>,
): void {
  new promClient.Gauge({
    name: 'http_open_connections',
    help: 'Client connections open on the API now',
    registers: [registry],
    async collect() {
      this.set(await connections());
    },
  });
}
