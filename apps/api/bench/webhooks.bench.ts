// Webhook ingestion benchmark (API half): `npm run bench:webhook-ingest` (prints figures; not a
// test). The end-to-end figure (API + worker until orders are paid) is `npm run bench:webhooks`.
//
// Razorpay-like load on `POST /api/v1/webhooks/razorpay/platform`: every request carries a new
// event id and a valid signature (HMAC of the raw body), so each one is verified, sanitized,
// inserted into the inbox and queued. A second phase redelivers the same events (the duplicate
// path: verify + unique-key miss, no enqueue). Afterwards every accepted event must be in the
// inbox and in the `webhooks` queue exactly once.
//
// The API runs in a child process (startApi, full middleware chain), the in-repo MongoDB server
// in another (unless MONGO_URL is set), redis-server as itself; autocannon runs in this one.
// Options (env): BENCH_CONNECTIONS (50), BENCH_DURATION (10 s), BENCH_WARMUP (2 s), MONGO_URL.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { freePort, startRedisServer, withDatabase } from '@storefront/devstack';
import {
  createLogger,
  createQueueRedis,
  createMongoConnection,
  ensureIndexes,
  loadConfig,
  QUEUES,
  webhookEventModel,
  type Config,
} from '@storefront/shared';
import { signWebhook, startMongoProcess } from '@storefront/test-support';
import { startApi } from '../src/server.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const WEBHOOK_SECRET = 'bench-webhook-secret';
const PATH = '/api/v1/webhooks/razorpay/platform';

function benchConfig(mongoUrl: string, redisUrl: string, run: string): Config {
  return loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    MONGO_URL: withDatabase(mongoUrl, `bench_webhooks_${run}`),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{bench${run}}`,
    REDIS_KEY_PREFIX: `bench${run}:`,
    RAZORPAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // The limiter still makes its Redis round trip per request; one load generator would
    // otherwise be refused after the per-minute budget.
    RATE_LIMIT_WEBHOOK_PER_MIN: '1000000000',
  });
}

// ---------------------------------------------------------------- child: the API under test
async function runApi(mongoUrl: string, redisUrl: string, run: string): Promise<void> {
  const api = await startApi(benchConfig(mongoUrl, redisUrl, run));
  process.once('disconnect', () => void api.close().then(() => process.exit(0)));
  // The parent asks for this process's CPU time around each phase (CPU per request).
  process.on('message', (msg) => {
    if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  process.send?.({ url: api.url });
}

// ---------------------------------------------------------------- parent: services and load
function eventBody(orderNo: number): string {
  const now = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    entity: 'event',
    account_id: 'acc_bench',
    event: 'payment.captured',
    contains: ['payment'],
    payload: {
      payment: {
        entity: {
          id: `pay_${randomBytes(7).toString('hex')}`,
          entity: 'payment',
          amount: 49_900,
          currency: 'INR',
          status: 'captured',
          order_id: `order_bench${orderNo}`,
          method: 'card',
          captured: true,
          card_id: 'card_bench',
          card: { id: 'card_bench', last4: '1111', network: 'Visa', type: 'credit' },
          email: 'buyer@example.test',
          contact: '+919000090000',
          notes: { orderId: `bench${orderNo}` },
          fee: 1178,
          tax: 180,
          error_code: null,
          created_at: now,
        },
      },
    },
    created_at: now,
  });
}

interface Sent {
  id: string;
  body: string;
  signature: string;
}

/** Load with a request factory; counts the answers by `status` and remembers accepted ids. */
async function load(
  url: string,
  duration: number,
  next: () => Sent | undefined,
  seen: { accepted: string[]; duplicate: number },
) {
  return autocannon({
    url: `${url}${PATH}`,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'POST',
        setupRequest: (req, context) => {
          const ev = next();
          if (!ev) return req;
          (context as { id?: string }).id = ev.id;
          return {
            ...req,
            body: ev.body,
            headers: {
              'content-type': 'application/json',
              'x-razorpay-event-id': ev.id,
              'x-razorpay-signature': ev.signature,
            },
          };
        },
        onResponse: (status, body, context) => {
          if (status !== 200) return;
          if (body.includes('"accepted"'))
            seen.accepted.push(String((context as { id?: string }).id));
          else if (body.includes('"duplicate"')) seen.duplicate += 1;
        },
      },
    ],
  });
}

async function main(): Promise<void> {
  const run = randomBytes(3).toString('hex');
  const redis = await startRedisServer();
  // The in-repo MongoDB server in its own process, so it does not share a CPU with autocannon.
  const mongo = process.env.MONGO_URL ? undefined : await startMongoProcess(await freePort());
  const mongoUrl = process.env.MONGO_URL ?? (mongo as { url: string }).url;
  let child: ChildProcess | undefined;
  const queueRedis = createQueueRedis(
    redis.url,
    createLogger({ level: 'silent', service: 'bench' }),
  );
  const config = benchConfig(mongoUrl, redis.url, run);
  const queue = new Queue(QUEUES.webhooks, { connection: queueRedis, prefix: config.QUEUE_PREFIX });
  const conn = await createMongoConnection({
    url: config.MONGO_URL,
    poolSize: 2,
    logger: createLogger({ level: 'error', service: 'bench' }),
  });
  try {
    await ensureIndexes(conn);
    child = fork(fileURLToPath(import.meta.url), ['--api', mongoUrl, redis.url, run], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [{ url }] = (await once(child, 'message')) as [{ url: string }];

    const sent: Sent[] = [];
    const fresh = (): Sent => {
      const body = eventBody(sent.length);
      const ev = {
        id: `evt_${run}_${sent.length}`,
        body,
        signature: signWebhook(body, WEBHOOK_SECRET),
      };
      sent.push(ev);
      return ev;
    };
    const api = child;
    /** The API process's CPU seconds so far. */
    const apiCpu = async (): Promise<number> => {
      api.send('cpu');
      const [msg] = (await once(api, 'message')) as [{ cpu: NodeJS.CpuUsage }];
      return (msg.cpu.user + msg.cpu.system) / 1e6;
    };
    /** A phase's load, with the API's CPU per answered request. */
    const measured = async (next: () => Sent | undefined) => {
      const cpu0 = await apiCpu();
      const result = await load(url, DURATION, next, seen);
      const cpuMs = ((await apiCpu()) - cpu0) * 1000;
      return { result, cpuMsPerRequest: cpuMs / Math.max(1, result.requests.total) };
    };
    const seen = { accepted: [] as string[], duplicate: 0 };
    await load(url, WARMUP, fresh, seen);
    const unique = await measured(fresh);
    const accepted = new Map(sent.map((ev) => [ev.id, ev]));
    const replayable = seen.accepted.map((id) => accepted.get(id) as Sent);
    let replay = 0;
    const duplicates = await measured(() => replayable[replay++ % replayable.length]);

    const stored = await webhookEventModel(conn).estimatedDocumentCount();
    const jobs = await queue.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized');
    const sample = await webhookEventModel(conn).findById(seen.accepted[0]).lean();
    const row = (name: string, m: { result: autocannon.Result; cpuMsPerRequest: number }) => {
      const r = m.result;
      return (
        `${name.padEnd(26)} ${r.requests.average.toFixed(0).padStart(8)} req/s  ` +
        `p50 ${r.latency.p50.toFixed(1).padStart(5)} ms  p99 ${r.latency.p99.toFixed(1).padStart(6)} ms  ` +
        `non-2xx ${r.non2xx + r.errors}  API CPU ${m.cpuMsPerRequest.toFixed(3)} ms/request`
      );
    };
    process.stdout.write(
      [
        `webhook ingestion bench: ${CONNECTIONS} connections, ${DURATION} s per phase after ${WARMUP} s warm-up, ` +
          `node ${process.version}, ${availableParallelism()} CPUs, MongoDB ${process.env.MONGO_URL ? 'MONGO_URL' : 'in-repo server'}`,
        row('new events (accepted)', unique),
        row('redeliveries (duplicate)', duplicates),
        `answered accepted ${seen.accepted.length}, duplicate ${seen.duplicate}; inbox documents ` +
          `${stored}, queued jobs ${jobs} (expected: inbox = jobs >= accepted; requests cut off ` +
          `at the end of a phase may be stored without an answer)`,
        `stored payload keeps card data: ${JSON.stringify(sample).includes('1111') ? 'YES (bug)' : 'no'}`,
      ].join('\n') + '\n',
    );
  } finally {
    if (child?.connected) {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    }
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    await queue.close();
    await queueRedis.quit();
    await mongo?.stop();
    await redis.stop();
  }
}

if (process.argv[2] === '--api') {
  await runApi(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string);
} else {
  await main();
}
