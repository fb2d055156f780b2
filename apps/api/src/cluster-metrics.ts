import { promClient, type MetricsRegistry } from '@storefront/shared';

// With API_WORKERS != 1 every API process has its own metrics registry, and /metrics on the shared
// port answers from whichever process took the connection. prom-client's AggregatorRegistry lets
// the cluster primary collect every process's registry over the cluster IPC channel and sum them.

/** IPC message a supervising parent sends the API primary to get cluster-wide metrics. */
export const CLUSTER_METRICS_REQUEST = 'storefront:cluster-metrics:request';
/** The primary's answer: `{ type, id, text }` (Prometheus text) or `{ type, id, error }`. */
export const CLUSTER_METRICS_RESPONSE = 'storefront:cluster-metrics:response';

/** In an API cluster worker: makes this process's registry collectable by the primary. */
export function shareMetricsWithPrimary(registry: MetricsRegistry): void {
  promClient.AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs the worker's listener for the primary's collection requests.
  new promClient.AggregatorRegistry();
}

/**
 * In the cluster primary, when started with an IPC channel (a supervisor such as the load test,
 * `make load-test`): answers CLUSTER_METRICS_REQUEST with every API process's metrics aggregated.
 */
export function serveClusterMetricsToParent(): void {
  const send = process.send?.bind(process);
  if (!send) return;
  const aggregator = new promClient.AggregatorRegistry();
  process.on('message', (msg: unknown) => {
    const req = msg as { type?: unknown; id?: unknown } | null;
    if (req?.type !== CLUSTER_METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => send({ type: CLUSTER_METRICS_RESPONSE, id: req.id, text }),
      (err: unknown) => send({ type: CLUSTER_METRICS_RESPONSE, id: req.id, error: String(err) }),
    );
  });
}
