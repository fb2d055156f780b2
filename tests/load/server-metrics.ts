import { has, parsePrometheusText, sumOf } from '@storefront/test-support';
import { thousands as n } from './format.ts';

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
  http: {
    requests: number;
    status5xx: number;
    status429: number;
    /**
     * Requests the API answered during the load (after minus before; since start without a
     * before), by `METHOD route`, most first: where the API's CPU went, request by request.
     */
    byRoute: Record<string, number>;
  };
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
  cpu: {
    apiSeconds: number | null;
    apiMsPerRequest: number | null;
    /** The API's CPU per request of any route during the load (every `byRoute` request). */
    apiMsPerAnyRequest: number | null;
  };
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

const HTTP_COUNT = 'http_request_duration_seconds_count';

/** `METHOD route` → requests, from the HTTP histogram's counts (every status together). */
function requestsByRoute(samples: ReturnType<typeof parsePrometheusText>): Map<string, number> {
  const byRoute = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== HTTP_COUNT) continue;
    const key = `${s.labels.method ?? '?'} ${s.labels.route ?? '?'}`;
    byRoute.set(key, (byRoute.get(key) ?? 0) + s.value);
  }
  return byRoute;
}

/** Requests during the load by route: after minus before, zero rows left out, most first. */
function routeDelta(
  after: ReturnType<typeof parsePrometheusText>,
  before: ReturnType<typeof parsePrometheusText> | undefined,
): Record<string, number> {
  const was = before === undefined ? new Map<string, number>() : requestsByRoute(before);
  const rows = [...requestsByRoute(after)]
    .map(([route, n]) => [route, n - (was.get(route) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(rows);
}

/** Computes the figures from exposition text (API: aggregated over processes; worker: optional). */
export function serverFigures(
  apiText: string,
  workerText: string | undefined,
  source: string,
  apiTextBefore?: string,
): ServerFigures {
  const api = parsePrometheusText(apiText);
  const apiBefore = apiTextBefore === undefined ? undefined : parsePrometheusText(apiTextBefore);
  const apiCpu =
    apiBefore === undefined
      ? null
      : sumOf(api, 'process_cpu_seconds_total') - sumOf(apiBefore, 'process_cpu_seconds_total');
  const byRoute = routeDelta(api, apiBefore);
  const answered = Object.values(byRoute).reduce((a, b) => a + b, 0);
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
      requests: sumOf(api, HTTP_COUNT),
      status5xx: sumOf(api, HTTP_COUNT, { status: (v) => v.startsWith('5') }),
      status429: sumOf(api, HTTP_COUNT, { status: '429' }),
      byRoute,
    },
    storefrontServerLatencyMs: { p50: ms(0.5), p95: ms(0.95), p99: ms(0.99) },
    cpu: {
      apiSeconds: apiCpu === null ? null : Math.round(apiCpu * 100) / 100,
      apiMsPerRequest: msPer(apiCpu, requests),
      apiMsPerAnyRequest: msPer(apiCpu, answered),
    },
    memory: {
      apiRssBytes: sumOf(api, 'process_resident_memory_bytes'),
      workerRssBytes: worker ? sumOf(worker, 'process_resident_memory_bytes') : null,
    },
  };
}

/** Milliseconds of CPU per request, to 0.01 ms; null without a CPU figure or a request. */
function msPer(cpuSeconds: number | null, requests: number): number | null {
  return cpuSeconds === null || requests === 0
    ? null
    : Math.round((cpuSeconds / requests) * 1e5) / 100;
}

/** One summary line: the API's requests during the load by route, most first, and CPU per request. */
export function requestsByRouteLine(f: ServerFigures, shown = 8): string {
  const rows = Object.entries(f.http.byRoute);
  const total = rows.reduce((a, [, n]) => a + n, 0);
  const rest = rows.slice(shown).reduce((a, [, v]) => a + v, 0);
  const parts = rows.slice(0, shown).map(([route, v]) => `${route} ${n(v)}`);
  if (rest > 0) parts.push(`other ${n(rest)}`);
  return (
    `API requests during the load (server): ${n(total)}${parts.length ? ` (${parts.join(', ')})` : ''}; ` +
    `API CPU ${f.cpu.apiMsPerAnyRequest ?? 'n/a'} ms per request`
  );
}
