// What the public rate limiter costs per request: the same trivial handler served with and
// without it, against a real redis-server, 10,000 distinct clients (X-Forwarded-For through a
// trusted loopback proxy). Run: `node apps/api/test/security/rate-limit-cost.bench.ts`.
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express, { type RequestHandler } from 'express';
import { startRedisServer } from '@storefront/devstack';
import {
  createCacheRedis,
  createLogger,
  createMetricsRegistry,
  loadConfig,
} from '@storefront/shared';
import { rateLimits } from '../../src/security/rate-limit.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const CLIENTS = 10_000;

const redisServer = await startRedisServer();
const logger = createLogger({ level: 'silent', service: 'bench' });
const redis = createCacheRedis(redisServer.url, logger, { keyPrefix: 'bench:' });
const config = loadConfig({ RATE_LIMIT_PUBLIC_PER_MIN: '1000000000', TRUST_PROXY: 'loopback' });
const body = Buffer.from(JSON.stringify({ ok: true, pad: 'x'.repeat(1_000) }));

function app(limiter?: RequestHandler) {
  const a = express();
  a.set('trust proxy', ['loopback']);
  if (limiter) a.use(limiter);
  a.get('/api/v1/store/:username', (_req, res) => {
    res.type('application/json').send(body);
  });
  return a;
}

async function measure(name: string, limiter?: RequestHandler) {
  const server = app(limiter).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  let n = 0;
  const cpu0 = process.cpuUsage();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'GET',
        path: '/api/v1/store/bench',
        setupRequest: (req) => {
          n = (n + 1) % CLIENTS;
          return {
            ...req,
            headers: { ...req.headers, 'x-forwarded-for': `198.18.${n >> 8}.${n & 255}` },
          };
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => server.close(r));
  const l = result.latency;
  // Generator and server share this process, so this is CPU for both sides; the difference
  // between the two runs is what the limiter (and its Redis client) adds.
  const cpuUsPerRequest = (cpu.user + cpu.system) / Math.max(1, result.requests.total);
  const line = {
    name,
    reqPerSec: Math.round(result.requests.average),
    cpuUsPerRequest: Number(cpuUsPerRequest.toFixed(1)),
    p50ms: l.p50,
    p90ms: l.p90,
    p99ms: l.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return line;
}

try {
  await measure('warm-up', rateLimits({ config, redis, metrics: createMetricsRegistry(), logger }));
  const without = await measure('without limiter');
  const withLimiter = await measure(
    'with public limiter',
    rateLimits({ config, redis, metrics: createMetricsRegistry(), logger }),
  );
  const addedCpu = (withLimiter.cpuUsPerRequest - without.cpuUsPerRequest).toFixed(1);
  const addedP50 = (withLimiter.p50ms - without.p50ms).toFixed(2);
  process.stdout.write(`limiter adds ~${addedCpu} µs CPU and ${addedP50} ms p50 per request\n`);
} finally {
  redis.disconnect();
  await redisServer.stop();
}
