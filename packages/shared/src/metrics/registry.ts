import client from 'prom-client';

export type MetricsRegistry = client.Registry;

/** A fresh registry with the default process metrics (memory, CPU, event loop lag) under `prefix`. */
export function createMetricsRegistry(labels: Record<string, string> = {}): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels(labels);
  client.collectDefaultMetrics({ register: registry });
  return registry;
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
