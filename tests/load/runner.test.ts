import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from './runner.ts';
import { loadScenario } from './scenario.ts';

// The runner against a plain local HTTP server standing in for the storefront.
interface Stub {
  url: string;
  sockets: number;
  addresses: Set<string>;
  close: () => Promise<void>;
}

const stubs: Stub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function stubServer(status: (n: number) => number): Promise<Stub> {
  let n = 0;
  const stub = { url: '', sockets: 0, addresses: new Set<string>(), close: async () => {} };
  const server = http.createServer((req, res) => {
    stub.addresses.add(String(req.headers['x-forwarded-for']));
    const username = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    res.statusCode = status(++n);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ username }));
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', () => stub.sockets++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  stubs.push(stub);
  return stub;
}

const small = () =>
  loadScenario(undefined, {
    stages: [
      { duration: '1s', target: 40 },
      { duration: '2s', target: 40 },
    ],
    thinkTimeSeconds: { min: 0.05, max: 0.15 },
    gracefulRampDownSeconds: 2,
    seed: { creators: 20 },
    // These tests are about the mechanics; a busy shared machine must not fail them on latency.
    thresholds: { p95Ms: 5_000, p99Ms: 10_000 },
  });

describe('node load runner', () => {
  it('when the server answers, then each VU holds one keep-alive connection and the summary passes', async () => {
    const stub = await stubServer(() => 200);
    const summary = await runScenario({ baseUrl: stub.url, scenario: small() });
    expect(summary.thresholds.filter((t) => !t.ok)).toEqual([]);
    expect(summary.passed).toBe(true);
    expect(summary.tool).toBe('node-runner');
    expect(summary.vus.max).toBe(40);
    expect(summary.connections).toEqual({ maxOpen: 40, opened: 40 });
    expect(stub.sockets).toBe(40);
    expect(stub.addresses.size).toBe(40); // one client address per VU
    expect(summary.requests.total).toBeGreaterThan(200);
    expect(summary.requests.byStatus).toEqual({ '2xx': summary.requests.total });
    expect(summary.checks.rate).toBe(1);
    expect(summary.latencyMs.p99).toBeGreaterThan(0);
    expect(summary.thresholds.map((t) => t.name)).toContain('p95 latency (ms)');
  });

  it('when the server sometimes answers 5xx, then the 5xx threshold and the checks fail', async () => {
    const stub = await stubServer((n) => (n % 10 === 0 ? 503 : 200));
    const summary = await runScenario({ baseUrl: stub.url, scenario: small() });
    expect(summary.passed).toBe(false);
    expect(summary.requests.status5xx).toBeGreaterThan(0);
    const failed = summary.thresholds.filter((t) => !t.ok).map((t) => t.name);
    expect(failed).toEqual(['5xx responses', 'check pass rate']);
  });
});
