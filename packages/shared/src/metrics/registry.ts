import client from 'prom-client';
import { loopUtilizationMeter } from '../process/loop-load.ts';

export type MetricsRegistry = client.Registry;

/**
 * prom-client's default metrics whose collection walks every open handle or file descriptor on
 * each scrape, synchronously: `process_open_fds` reads the whole of /proc/self/fd, the handle and
 * resource gauges list every socket. With 10,000 open connections a scrape blocked the event loop
 * for about 15 ms with them and 0.4 ms without (`npm run bench:metrics-scrape`;
 * docs/performance.md, "Metrics scrapes"), and a drop is when both the connections and the
 * scrapes are many. The API exports `http_open_connections` instead, counted by the server at no
 * cost per scrape.
 */
export const PER_HANDLE_DEFAULT_METRICS = [
  'process_open_fds',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
] as const;

/**
 * A fresh registry with the default process metrics (memory, CPU, event loop lag, GC; without
 * `PER_HANDLE_DEFAULT_METRICS`) and the event loop's utilization, with `labels` on every series.
 */
export function createMetricsRegistry(labels: Record<string, string> = {}): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels(labels);
  client.collectDefaultMetrics({ register: registry });
  for (const name of PER_HANDLE_DEFAULT_METRICS) registry.removeSingleMetric(name);
  registerEventLoopUtilization(registry);
  return registry;
}

/**
 * `event_loop_utilization`: the share of time since the previous scrape that this process's event
 * loop spent running code rather than waiting for I/O (Node's `performance.eventLoopUtilization`),
 * 0–1. Near 1 the loop is saturated: every request, new connection and job waits for the ones
 * before it, however fast each is (event loop lag says how long one wait was; this says how much
 * of the time there was no slack). Like prom-client's lag figures it covers the time since the
 * last scrape by anyone. An API cluster reports its busiest process.
 */
function registerEventLoopUtilization(registry: client.Registry): void {
  const sinceLastScrape = loopUtilizationMeter();
  new client.Gauge({
    name: 'event_loop_utilization',
    help: 'Share of the time since the previous scrape the event loop was busy running code (0-1)',
    registers: [registry],
    aggregator: 'max',
    collect() {
      this.set(sinceLastScrape());
    },
  });
}

/** Returns the metric named `name` in `registry`, creating it with `make` the first time. */
export function getOrCreateMetric<T extends client.Metric>(
  registry: client.Registry,
  name: string,
  make: () => T,
): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export { client as promClient };
