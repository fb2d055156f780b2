import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sumOf } from '@storefront/test-support';
import { histogramQuantile, requestsByRouteLine, serverFigures } from './server-metrics.ts';

const API = `# HELP storefront_requests_total x
# TYPE storefront_requests_total counter
storefront_requests_total{tier="memory",result="found",service="api"} 900
storefront_requests_total{tier="redis",result="found",service="api"} 80
storefront_requests_total{tier="coalesced",result="found",service="api"} 10
storefront_requests_total{tier="mongo",result="found",service="api"} 8
storefront_requests_total{tier="mongo",result="not_found",service="api"} 2
storefront_mongo_queries_total{service="api"} 10
mongodb_pool_checked_out_max{service="api"} 3
mongodb_pool_wait_queue_max{service="api"} 0
http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/v1/store/:username",status="200"} 995
http_request_duration_seconds_count{method="GET",route="/api/v1/store/:username",status="200"} 995
http_request_duration_seconds_count{method="GET",route="/api/v1/store/:username",status="429"} 3
http_request_duration_seconds_count{method="GET",route="unmatched",status="503"} 2
process_resident_memory_bytes{service="api"} 123456789
`;

describe('server metrics', () => {
  it('when exposition text is parsed, then labels (escapes too) and special values are read', () => {
    const s = parsePrometheusText('a{x="q\\"uo\\\\te",y="2"} +Inf\nb 1.5e3 1700000000\n# c 1\n');
    expect(s).toEqual([
      { name: 'a', labels: { x: 'q"uo\\te', y: '2' }, value: Infinity },
      { name: 'b', labels: {}, value: 1500 },
    ]);
    expect(sumOf(s, 'b')).toBe(1500);
  });

  it('when the run is summarised, then the hit ratio counts every tier but MongoDB as a hit', () => {
    const f = serverFigures(
      `${API}process_cpu_seconds_total{service="api"} 12.5\n`,
      'process_resident_memory_bytes 5\n',
      'test',
      'process_cpu_seconds_total{service="api"} 2.5\n',
    );
    expect(f.cpu).toEqual({ apiSeconds: 10, apiMsPerRequest: 10, apiMsPerAnyRequest: 10 });
    expect(f.storefront.requests).toBe(1000);
    expect(f.storefront.hitRatio).toBeCloseTo(0.99, 10);
    expect(f.storefront.mongoQueries).toBe(10);
    expect(f.http).toMatchObject({ requests: 1000, status5xx: 2, status429: 3 });
    expect(f.mongoPool).toEqual({ checkedOutMax: 3, waitQueueMax: 0 });
    expect(f.memory).toEqual({ apiRssBytes: 123456789, workerRssBytes: 5 });
  });

  it('when requests are counted by route, then the load is after minus before, most first, with CPU per request', () => {
    const count = (method: string, route: string, status: string, n: number) =>
      `${'http_request_duration_seconds_count'}{method="${method}",route="${route}",status="${status}"} ${n}\n`;
    const before =
      count('GET', '/api/v1/store/:username', '200', 100) +
      count('POST', '/api/v1/auth/login', '200', 1) +
      'process_cpu_seconds_total 4\n';
    const after =
      count('GET', '/api/v1/store/:username', '200', 700) +
      count('GET', '/api/v1/store/:username', '304', 50) +
      count('POST', '/api/v1/webhooks/razorpay/:account', '200', 200) +
      count('POST', '/api/v1/webhooks/razorpay/:account', '503', 50) +
      count('POST', '/api/v1/auth/login', '200', 1) +
      'process_cpu_seconds_total 5\n';
    const f = serverFigures(after, undefined, 'test', before);
    // Every status of a route together; a route without requests during the load left out.
    expect(f.http.byRoute).toEqual({
      'GET /api/v1/store/:username': 650,
      'POST /api/v1/webhooks/razorpay/:account': 250,
    });
    expect(Object.keys(f.http.byRoute)[0]).toBe('GET /api/v1/store/:username');
    // 1 CPU-s over 900 requests of any route.
    expect(f.cpu.apiMsPerAnyRequest).toBe(1.11);
    expect(requestsByRouteLine(f, 1)).toBe(
      'API requests during the load (server): 900 (GET /api/v1/store/:username 650, other 250); ' +
        'API CPU 1.11 ms per request',
    );
    // Without a before, the counts since start, and no CPU figure.
    const since = serverFigures(after, undefined, 'test');
    expect(since.http.byRoute['POST /api/v1/auth/login']).toBe(1);
    expect(since.cpu.apiMsPerAnyRequest).toBeNull();
  });

  it('when the latency histogram is read, then quantiles interpolate inside buckets', () => {
    const b = new Map([
      [0.001, 50],
      [0.005, 90],
      [0.01, 100],
      [Infinity, 100],
    ]);
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.001, 6);
    expect(histogramQuantile(0.7, b)).toBeCloseTo(0.003, 6);
    expect(histogramQuantile(0.95, b)).toBeCloseTo(0.0075, 6);
    expect(histogramQuantile(0.5, new Map())).toBeNull();
  });

  it('when the storefront metrics are missing, then there is no hit ratio (and the threshold fails)', () => {
    expect(
      serverFigures('process_resident_memory_bytes 1\n', undefined, 'test').storefront.hitRatio,
    ).toBeNull();
  });
});
