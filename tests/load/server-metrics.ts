import { has, parsePrometheusText, sumOf } from '@storefront/test-support';

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
  /**
   * Server-side storefront latency (time inside the API process), estimated from the
   * http_request_duration_seconds buckets as Prometheus's histogram_quantile does. Compared with
   * the client's figures it separates server time from queueing and load-generator delay.
   */
  storefrontServerLatencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /**
   * CPU time the API processes spent during the load (process_cpu_seconds_total, after minus
   * before), and per storefront request: with the generator's own CPU per request this tells how
   * many cores a given request rate needs on this machine.
   */
  cpu: { apiSeconds: number | null; apiMsPerRequest: number | null };
  /** Resident memory at the end of the run, summed over API processes; the worker separately. */
  memory: { apiRssBytes: number; workerRssBytes: number | null };
}

const STORE_REQUESTS = 'storefront_requests_total';
const STORE_ROUTE = '/api/v1/store/:username';

/** histogram_quantile over cumulative buckets (`le` → count), linear inside the bucket. */
export function histogramQuantile(q: number, buckets: ReadonlyMap<number, number>): number | null {
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/** Computes the figures from exposition text (API: aggregated over processes; worker: optional). */
export function serverFigures(
  apiText: string,
  workerText: string | undefined,
  source: string,
  apiTextBefore?: string,
): ServerFigures {
  const api = parsePrometheusText(apiText);
  const apiCpu =
    apiTextBefore === undefined
      ? null
      : sumOf(api, 'process_cpu_seconds_total') -
        sumOf(parsePrometheusText(apiTextBefore), 'process_cpu_seconds_total');
  const byTier: Record<string, number> = {};
  for (const s of api) {
    const tier = s.labels.tier;
    if (s.name === STORE_REQUESTS && tier !== undefined)
      byTier[tier] = (byTier[tier] ?? 0) + s.value;
  }
  const requests = Object.values(byTier).reduce((a, b) => a + b, 0);
  const fromMongo = byTier.mongo ?? 0;
  const buckets = new Map<number, number>();
  for (const b of api) {
    if (b.name !== 'http_request_duration_seconds_bucket' || b.labels.route !== STORE_ROUTE)
      continue;
    const le = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + b.value);
  }
  const ms = (q: number) => {
    const v = histogramQuantile(q, buckets);
    return v === null ? null : Math.round(v * 1e5) / 100;
  };
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
    storefrontServerLatencyMs: { p50: ms(0.5), p95: ms(0.95), p99: ms(0.99) },
    cpu: {
      apiSeconds: apiCpu === null ? null : Math.round(apiCpu * 100) / 100,
      apiMsPerRequest:
        apiCpu === null || requests === 0 ? null : Math.round((apiCpu / requests) * 1e5) / 100,
    },
    memory: {
      apiRssBytes: sumOf(api, 'process_resident_memory_bytes'),
      workerRssBytes: worker ? sumOf(worker, 'process_resident_memory_bytes') : null,
    },
  };
}
