// Storefront hot path benchmark: `npm run bench:storefront` (prints figures; not a test).
//
// Side by side, same load generator, same connections and duration:
//   raw  — a bare node:http server writing the very bytes and headers the API sends (the ceiling);
//   router — a bare Express app with only the storefront router (same cache instance);
//   api  — the full API from startApi(): every middleware app.ts mounts (request id, metrics,
//          security headers, CORS, the rate limiter with its Redis flush, query guard, JSON body
//          gate), on the storefront cache-hit path.
// Both servers run in one child process; autocannon, redis-server and the in-repo MongoDB server
// run outside it, so the child's CPU time per request is the servers' own cost. Server-side
// latency is timed from the 'request' event to 'finish'.
//
// Options (env): BENCH_CONNECTIONS (50), BENCH_DURATION (5 s), BENCH_WARMUP (1 s), BENCH_ROUNDS (3),
// BENCH_TARGETS (comma list of raw,router,api; all by default), BENCH_CPU_PROF (a directory: the
// servers' child runs with --cpu-prof and writes its profile there on exit), BENCH_CLIENTS (0:
// one client with the public limit raised; N: requests rotate over N X-Forwarded-For addresses
// through a trusted loopback proxy under the real 100/min limit, as in the load test).
// req/s and client latencies are medians over the rounds; server-side figures pool every round.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import express from 'express';
import { startMongoServer, startRedisServer } from '@storefront/devstack';
import {
  createLogger,
  createMongoConnection,
  ensureIndexes,
  loadConfig,
  type Config,
} from '@storefront/shared';
import { startApi, type RunningApi } from '../src/server.ts';
import { storefrontHandler } from '../src/storefront/store.routes.ts';
import { STOREFRONT_ROUTE } from '../src/storefront/store-response.ts';
import { seedDemo } from '../../../scripts/seed-demo.ts';

type Target = 'raw' | 'router' | 'api';
interface ServerStats {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  cpuMicros: number;
}
type ToChild = { op: 'start' | 'stop' | 'stats'; target: Target } | { op: 'metrics' };
type FromChild =
  | { op: 'ready'; raw: string; router: string; api: string; bodyBytes: number }
  | { op: 'stats'; stats: ServerStats }
  | { op: 'metrics'; tiers: Record<string, number>; le1ms: string }
  | { op: 'ok' };

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGETS = (process.env.BENCH_TARGETS ?? 'raw,router,api')
  .split(',')
  .map((t) => t.trim())
  .filter((t): t is Target => t === 'raw' || t === 'router' || t === 'api');
const CPU_PROF = process.env.BENCH_CPU_PROF;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 0);

/** autocannon options: with BENCH_CLIENTS, each request comes from the next of that many addresses. */
function load(url: string, duration: number): autocannon.Options {
  if (CLIENTS === 0) return { url, connections: CONNECTIONS, duration };
  let n = 0;
  return {
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        setupRequest: (req) => {
          n = (n + 1) % CLIENTS;
          const headers = { ...req.headers, 'x-forwarded-for': `198.18.${n >> 8}.${n & 255}` };
          return { ...req, headers };
        },
      },
    ],
  };
}

function benchConfig(mongoUrl: string, redisUrl: string): Config {
  return loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    MONGO_URL: `${mongoUrl}/bench`,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: 'bench:',
    ...(CLIENTS > 0
      ? // Many shoppers behind a trusted proxy, each under the real 100/min limit.
        { TRUST_PROXY: 'loopback' }
      : // One load generator on one address would be refused after 100 requests a minute.
        { RATE_LIMIT_PUBLIC_PER_MIN: '1000000000' }),
  });
}

// ---------------------------------------------------------------- child: the servers under test
async function runServers(mongoUrl: string, redisUrl: string): Promise<void> {
  const api = await startApi(benchConfig(mongoUrl, redisUrl));
  const storeUrl = `${api.url}/api/v1/store/demo`;
  const sample = await fetch(storeUrl);
  if (sample.status !== 200) throw new Error(`storefront answered ${sample.status}`);
  const body = Buffer.from(await sample.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'content-length', 'etag', 'cache-control']) {
    headers[name] = sample.headers.get(name) ?? '';
  }
  const raw = http.createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  raw.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  // The storefront's Express route alone on a bare Express app (same cache instance): splits the
  // API's cost into the storefront's own and the cross-cutting middleware's.
  const routerApp = express();
  routerApp.get(STOREFRONT_ROUTE, storefrontHandler(api.services.storeCache));
  const routerOnly = http.createServer(routerApp);
  routerOnly.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => routerOnly.listen(0, '127.0.0.1', resolve));
  const timers = {
    raw: serverTimer(raw),
    router: serverTimer(routerOnly),
    api: serverTimer(api.server),
  };

  const send = (m: FromChild) => process.send?.(m);
  process.on('message', (m: ToChild) => {
    if (m.op === 'start' || m.op === 'stop') {
      timers[m.target][m.op]();
      send({ op: 'ok' });
    } else if (m.op === 'stats') {
      send({ op: 'stats', stats: timers[m.target].stats() });
    } else {
      void storeMetrics(api).then((r) => send({ op: 'metrics', ...r }));
    }
  });
  process.once('disconnect', () => {
    raw.close();
    routerOnly.close();
    void api.close().then(() => process.exit(0));
  });
  send({
    op: 'ready',
    raw: `http://127.0.0.1:${(raw.address() as AddressInfo).port}/api/v1/store/demo`,
    router: `http://127.0.0.1:${(routerOnly.address() as AddressInfo).port}/api/v1/store/demo`,
    api: storeUrl,
    bodyBytes: body.length,
  });
}

/**
 * Server-side durations (request event → response finished) and the process CPU spent, recorded
 * only between start() and stop(), accumulated over every round.
 */
function serverTimer(server: http.Server) {
  const samples: number[] = [];
  let recording = false;
  let cpuStart = process.cpuUsage();
  let cpuMicros = 0;
  server.on('request', (_req, res: http.ServerResponse) => {
    if (!recording) return;
    const start = process.hrtime.bigint();
    res.once('finish', () => samples.push(Number(process.hrtime.bigint() - start) / 1000));
  });
  return {
    start: () => {
      recording = true;
      cpuStart = process.cpuUsage();
    },
    stop: () => {
      recording = false;
      const used = process.cpuUsage(cpuStart);
      cpuMicros += used.user + used.system;
    },
    stats: (): ServerStats => {
      const s = Float64Array.from(samples).sort();
      const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
      return {
        count: s.length,
        p50: at(0.5),
        p99: at(0.99),
        p999: at(0.999),
        cpuMicros: cpuMicros / Math.max(1, s.length),
      };
    },
  };
}

async function storeMetrics(
  api: RunningApi,
): Promise<{ tiers: Record<string, number>; le1ms: string }> {
  const tiers: Record<string, number> = {};
  const requests = api.deps.metrics.getSingleMetric('storefront_requests_total');
  for (const v of (await requests?.get())?.values ?? []) {
    const key = `${String(v.labels.tier)}/${String(v.labels.result)}`;
    tiers[key] = (tiers[key] ?? 0) + v.value;
  }
  const hist = api.deps.metrics.getSingleMetric('http_request_duration_seconds');
  const values = (await hist?.get())?.values ?? [];
  const ours = values.filter(
    (v) => v.labels.route === '/api/v1/store/:username' && v.labels.status === '200',
  );
  // Histogram samples carry their series name (`_bucket`, `_count`) in `metricName`.
  const series = (v: object) => String((v as { metricName?: string }).metricName);
  const le1 = ours.find((v) => v.labels.le === 0.001 && series(v).endsWith('_bucket'));
  const count = ours.find((v) => series(v).endsWith('_count'));
  const le1ms = le1 && count?.value ? `${((le1.value / count.value) * 100).toFixed(2)} %` : 'n/a';
  return { tiers, le1ms };
}

// ---------------------------------------------------------------- parent: services and load
async function main(): Promise<void> {
  const redis = await startRedisServer();
  const mongo = await startMongoServer();
  let child: ChildProcess | undefined;
  try {
    const config = benchConfig(mongo.url, redis.url);
    const logger = createLogger({ level: 'warn', service: 'bench' });
    const conn = await createMongoConnection({ url: config.MONGO_URL, poolSize: 2, logger });
    await ensureIndexes(conn);
    await seedDemo(conn);
    await conn.close();

    child = fork(fileURLToPath(import.meta.url), ['--servers', mongo.url, redis.url], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`],
    });
    const [ready] = (await once(child, 'message')) as [Extract<FromChild, { op: 'ready' }>];
    const ask = async <T extends FromChild>(m: ToChild): Promise<T> => {
      child!.send(m);
      return ((await once(child!, 'message')) as [T])[0];
    };

    const median = (xs: number[]) =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const runs: Record<Target, autocannon.Result[]> = { raw: [], router: [], api: [] };
    const urls: Record<Target, string> = { raw: ready.raw, router: ready.router, api: ready.api };
    const before = await ask<Extract<FromChild, { op: 'metrics' }>>({ op: 'metrics' });
    // Rounds interleave the servers, so a burst of other load on the machine hits all of them.
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of TARGETS) {
        await autocannon(load(urls[target], WARMUP));
        await ask({ op: 'start', target });
        runs[target].push(await autocannon(load(urls[target], DURATION)));
        await ask({ op: 'stop', target });
      }
    }
    const summarize = async (name: string, target: Target) => {
      const rs = runs[target];
      const { stats } = await ask<Extract<FromChild, { op: 'stats' }>>({ op: 'stats', target });
      return {
        name,
        rps: median(rs.map((r) => r.requests.average)),
        p50: median(rs.map((r) => r.latency.p50)),
        p99: median(rs.map((r) => r.latency.p99)),
        bad: rs.reduce((n, r) => n + r.non2xx + r.errors, 0),
        stats,
      };
    };
    const names: Record<Target, string> = {
      raw: 'raw node:http',
      router: 'express + store router',
      api: 'full API (cache hit)',
    };
    const results: Partial<Record<Target, Awaited<ReturnType<typeof summarize>>>> = {};
    for (const target of TARGETS) results[target] = await summarize(names[target], target);
    const after = await ask<Extract<FromChild, { op: 'metrics' }>>({ op: 'metrics' });

    const col = (v: number | string, w = 10) => String(v).padStart(w);
    const row = (r: Awaited<ReturnType<typeof summarize>>) =>
      [
        r.name.padEnd(22),
        col(r.rps.toFixed(0)),
        col(r.p50.toFixed(1)),
        col(r.p99.toFixed(1)),
        col((r.stats.p50 / 1000).toFixed(3)),
        col((r.stats.p99 / 1000).toFixed(3)),
        col((r.stats.p999 / 1000).toFixed(3)),
        col(r.stats.cpuMicros.toFixed(1)),
        col(r.bad),
      ].join(' ');
    const tiers = Object.fromEntries(
      Object.entries(after.tiers)
        .map(([k, v]) => [k, v - (before.tiers[k] ?? 0)])
        .filter(([, v]) => v !== 0),
    ) as Record<string, number>;
    const served = Object.values(tiers).reduce((a, b) => a + b, 0);
    const { raw, api: full } = results;
    const lines = [
      `storefront bench: ${CONNECTIONS} connections, ${ROUNDS} rounds x ${DURATION} s per server (each after ${WARMUP} s warm-up), ` +
        `body ${ready.bodyBytes} B, ${CLIENTS > 0 ? `${CLIENTS} client addresses` : 'one client'}, node ${process.version}, ${availableParallelism()} CPUs, ` +
        `load average ${loadavg()[0]?.toFixed(1)} at the end`,
      [
        ''.padEnd(22),
        col('req/s'),
        col('p50 ms'),
        col('p99 ms'),
        col('srv p50'),
        col('srv p99'),
        col('srv p99.9'),
        col('cpu us/req'),
        col('non-2xx'),
      ].join(' '),
      ...TARGETS.map((t) => row(results[t]!)),
    ];
    if (raw !== undefined && full !== undefined) {
      lines.push(
        `full API / raw: ${((full.rps / raw.rps) * 100).toFixed(1)} % of raw req/s (goal >= 50 %); ` +
          `CPU per request ${(full.stats.cpuMicros / raw.stats.cpuMicros).toFixed(1)}x raw; ` +
          `server-side cache-hit p99 ${(full.stats.p99 / 1000).toFixed(3)} ms (goal < 1 ms)`,
      );
    }
    lines.push(
      `storefront tiers during the router and API runs (incl. warm-up): ${JSON.stringify(tiers)}; ` +
        `memory hit ratio ${(((tiers['memory/found'] ?? 0) / Math.max(1, served)) * 100).toFixed(2)} %`,
      `http_request_duration_seconds, route /api/v1/store/:username: ${after.le1ms} of requests <= 1 ms`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (child?.connected) {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    }
    await mongo.stop();
    await redis.stop();
  }
}

if (process.argv[2] === '--servers') {
  await runServers(process.argv[3] as string, process.argv[4] as string);
} else {
  await main();
}
