import { has, parsePrometheusText, sumOf } from './prom-text.ts';

// The server's own view of a load run, read from its Prometheus metrics after the run.

/** Figures the orchestrator records from the API's (aggregated) and the worker's /metrics. */
export interface ServerFigures {
  /** How the API metrics were gathered (cluster aggregate or a single process). */
  source: string;
  storefront: {
    requests: number;
    byTier: Record<string, number>;
    mongoQueries: number;
    /** Share of storefront requests answered without a MongoDB read (memory, Redis, coalesced). */
    hitRatio: number | null;
  };
  /** Per-process maxima since start, summed over API processes (an upper bound for the cluster). */
  mongoPool: { checkedOutMax: number; waitQueueMax: number };
  http: { requests: number; status5xx: number; status429: number };
  /** Resident memory at the end of the run, summed over API processes; the worker separately. */
  memory: { apiRssBytes: number; workerRssBytes: number | null };
}

const STORE_REQUESTS = 'storefront_requests_total';

/** Computes the figures from exposition text (API: aggregated over processes; worker: optional). */
export function serverFigures(
  apiText: string,
  workerText: string | undefined,
  source: string,
): ServerFigures {
  const api = parsePrometheusText(apiText);
  const byTier: Record<string, number> = {};
  for (const s of api) {
    const tier = s.labels.tier;
    if (s.name === STORE_REQUESTS && tier !== undefined)
      byTier[tier] = (byTier[tier] ?? 0) + s.value;
  }
  const requests = Object.values(byTier).reduce((a, b) => a + b, 0);
  const fromMongo = byTier.mongo ?? 0;
  const worker = workerText === undefined ? undefined : parsePrometheusText(workerText);
  return {
    source,
    storefront: {
      requests,
      byTier,
      mongoQueries: sumOf(api, 'storefront_mongo_queries_total'),
      hitRatio: has(api, STORE_REQUESTS) && requests > 0 ? (requests - fromMongo) / requests : null,
    },
    mongoPool: {
      checkedOutMax: sumOf(api, 'mongodb_pool_checked_out_max'),
      waitQueueMax: sumOf(api, 'mongodb_pool_wait_queue_max'),
    },
    http: {
      requests: sumOf(api, 'http_request_duration_seconds_count'),
      status5xx: sumOf(api, 'http_request_duration_seconds_count', {
        status: (v) => v.startsWith('5'),
      }),
      status429: sumOf(api, 'http_request_duration_seconds_count', { status: '429' }),
    },
    memory: {
      apiRssBytes: sumOf(api, 'process_resident_memory_bytes'),
      workerRssBytes: worker ? sumOf(worker, 'process_resident_memory_bytes') : null,
    },
  };
}
