// What the public rate limiter costs per request: the same small JSON handler served with and
// without it, against a real redis-server, 10,000 distinct clients (X-Forwarded-For through a
// trusted loopback proxy). The servers run in a child process so its CPU time per request is
// the server's alone. Run: `node apps/api/test/security/rate-limit-cost.bench.ts`
// (env BENCH_SECONDS, BENCH_CONNECTIONS).
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
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
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CLIENTS = 10_000;

type ToChild = { cmd: 'cpu' };
type FromChild = { ports: { plain: number; limited: number } } | { cpuUs: number };

async function child(redisUrl: string): Promise<void> {
  const logger = createLogger({ level: 'silent', service: 'bench' });
  const redis = createCacheRedis(redisUrl, logger, { keyPrefix: 'bench:' });
  const config = loadConfig({ RATE_LIMIT_PUBLIC_PER_MIN: '1000000000', TRUST_PROXY: 'loopback' });
  const body = Buffer.from(JSON.stringify({ ok: true, pad: 'x'.repeat(1_000) }));
  const listen = async (limiter?: RequestHandler) => {
    const app = express();
    app.set('trust proxy', ['loopback']);
    if (limiter) app.use(limiter);
    app.get('/api/v1/store/:username', (_req, res) => {
      res.type('application/json').send(body);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return (server.address() as AddressInfo).port;
  };
  const plain = await listen();
  const limited = await listen(
    rateLimits({ config, redis, metrics: createMetricsRegistry(), logger }),
  );
  process.on('message', (m: ToChild) => {
    if (m.cmd === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ cpuUs: u.user + u.system } satisfies FromChild);
    }
  });
  process.on('SIGINT', () => process.exit(0)); // a normal exit writes the --cpu-prof file
  process.send?.({ ports: { plain, limited } } satisfies FromChild);
}

async function parent(): Promise<void> {
  const redisServer = await startRedisServer();
  const proc = fork(fileURLToPath(import.meta.url), ['--child', redisServer.url], {
    execArgv: process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [],
  });
  const next = () => new Promise<FromChild>((r) => proc.once('message', (m: FromChild) => r(m)));
  try {
    const ready = await next();
    if (!('ports' in ready)) throw new Error('child did not start');
    const cpu = async () => {
      proc.send({ cmd: 'cpu' } satisfies ToChild);
      const m = await next();
      if (!('cpuUs' in m)) throw new Error('unexpected message');
      return m.cpuUs;
    };
    const run = async (name: string, port: number) => {
      let n = 0;
      const cpu0 = await cpu();
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
      const cpuUs = (await cpu()) - cpu0;
      const line = {
        name,
        requests: result.requests.total,
        reqPerSec: Math.round(result.requests.average),
        serverCpuUsPerRequest: Number((cpuUs / Math.max(1, result.requests.total)).toFixed(1)),
        p50ms: result.latency.p50,
        p97_5ms: result.latency.p97_5,
        p99ms: result.latency.p99,
        non2xx: result.non2xx,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
      return line;
    };
    await run('warm-up (limited)', ready.ports.limited);
    const a = await run('without limiter', ready.ports.plain);
    const b = await run('with public limiter', ready.ports.limited);
    process.stdout.write(
      `limiter adds ~${(b.serverCpuUsPerRequest - a.serverCpuUsPerRequest).toFixed(1)} µs server CPU ` +
        `and ${(b.p50ms - a.p50ms).toFixed(2)} ms p50 per request (${CONNECTIONS} connections)\n`,
    );
  } finally {
    proc.kill('SIGINT');
    await new Promise((r) => proc.once('exit', r));
    await redisServer.stop();
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] ?? '');
else await parent();
