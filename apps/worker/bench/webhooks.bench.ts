// Webhook throughput, end to end: signed Razorpay webhooks accepted by one API process, applied
// by one worker process, until every order is paid and delivered. Prints the figures recorded in
// docs/performance.md ("Webhooks").
//
//   npm run bench:webhooks -- [--orders 2000] [--concurrency 32] [--worker-concurrency W]
//
// Services come from @storefront/devstack: redis-server, the in-repo MongoDB server (in its own
// process; MONGO_URL overrides it) and the Razorpay sandbox (checkout creates real gateway
// orders in it). Orders are created through the API's checkout before the clock starts; each
// order then gets the three events Razorpay sends for a captured payment (payment.authorized,
// payment.captured, order.paid), signed with the platform webhook secret.
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Types, type Connection } from 'mongoose';
import {
  freePort,
  startRazorpaySandbox,
  startRedisServer,
  withDatabase,
} from '@storefront/devstack';
import {
  createLogger,
  createMongoConnection,
  creatorModel,
  envSchema,
  orderModel,
  productModel,
} from '@storefront/shared';
import {
  type Child,
  commandsBetween,
  eventually,
  metricTotal,
  newRazorpayKeys,
  productionSecrets,
  readCommandTotals,
  startApiAndWorker,
  startMongoProcess,
  summarizeMetric,
} from '@storefront/test-support';
import { Http1Connection } from '@storefront/test-support/http1-connection';
import { eventsFor, type SignedEvent } from './bench-events.ts';
import { percentiles, pool, processCpuSeconds } from './bench-stats.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    // Default: the worker's own default (WORKER_CONCURRENCY in the config schema).
    'worker-concurrency': { type: 'string' },
  },
});
const ORDERS = Number(values.orders);
const CONCURRENCY = Number(values.concurrency);
const WORKER_CONCURRENCY = Number(
  values['worker-concurrency'] ?? envSchema.shape.WORKER_CONCURRENCY.parse(undefined),
);
const log = (line: string) => process.stdout.write(`${line}\n`);

const stops: Array<() => Promise<void>> = [];
const children: Child[] = [];

async function main(): Promise<void> {
  const id = randomBytes(4).toString('hex');
  const keys = newRazorpayKeys();

  const redis = await startRedisServer();
  stops.push(() => redis.stop());
  let mongoBase = process.env.MONGO_URL;
  let mongoPid: number | undefined;
  if (!mongoBase) {
    const mongo = await startMongoProcess(await freePort());
    children.push(mongo);
    mongoBase = mongo.url;
    mongoPid = mongo.proc.pid;
  }
  const sandbox = await startRazorpaySandbox({ accounts: [keys] });
  stops.push(() => sandbox.stop());

  const apiPort = await freePort();
  const workerPort = await freePort();
  const mongoUrl = withDatabase(mongoBase, `bench_webhooks_${id}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    API_WORKERS: '1',
    WORKER_HOST: '127.0.0.1',
    WORKER_HEALTH_PORT: String(workerPort),
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    MONGO_URL: mongoUrl,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `{bench${id}}`,
    REDIS_KEY_PREFIX: `bench${id}:`,
    ...productionSecrets('b1', keys),
    RAZORPAY_API_BASE_URL: sandbox.url,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    RATE_LIMIT_PUBLIC_PER_MIN: '1000000000',
    RATE_LIMIT_WEBHOOK_PER_MIN: '1000000000',
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  children.push(...(await startApiAndWorker(env, { api: apiUrl, worker: workerUrl })));

  // --- set-up (not measured): a creator on the platform account, N orders through checkout ---
  const logger = createLogger({ level: 'silent', service: 'bench' });
  const mongo = await createMongoConnection({ url: mongoUrl, poolSize: 4, logger });
  stops.push(() => mongo.close());
  const creatorId = new Types.ObjectId();
  const username = `bench${id}`;
  await creatorModel(mongo).create({
    _id: creatorId,
    username,
    email: `${username}@example.test`,
    passwordHash: 'not-a-real-hash',
    displayName: 'Bench Creator',
  });
  const product = await productModel(mongo).create({
    creatorId,
    title: 'Bench Product',
    price: 49_900,
    currency: 'INR',
    status: 'active',
    file: {
      key: `products/bench/${id}.pdf`,
      name: 'bench.pdf',
      contentType: 'application/pdf',
      size: 1,
      uploadedAt: new Date(),
    },
  });
  const orders: Array<{ orderId: string; gatewayOrderId: string }> = [];
  const setupStarted = performance.now();
  await pool(ORDERS, 16, async () => {
    const res = await fetch(
      `${apiUrl}/api/v1/store/${username}/products/${String(product._id)}/checkout`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'buyer@example.test' }),
      },
    );
    const body = (await res.json()) as { orderId: string; razorpay: { orderId: string } };
    if (res.status !== 201)
      throw new Error(`checkout failed: ${res.status} ${JSON.stringify(body)}`);
    orders.push({ orderId: body.orderId, gatewayOrderId: body.razorpay.orderId });
  });
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  log(
    `set-up: ${ORDERS} checkouts in ${setupSeconds.toFixed(1)} s (${(ORDERS / setupSeconds).toFixed(0)}/s, not part of the figures)`,
  );

  // Events go out order by order (authorized, captured, order.paid), interleaved across orders
  // by the concurrent senders, as Razorpay's do under a creator drop.
  const events: SignedEvent[] = orders.flatMap((o) => eventsFor(o, 49_900, keys.webhookSecret));
  const acceptedAt = new Map<string, number>(); // orderId → wall-clock ms the capture was acknowledged
  const latencies: number[] = [];
  let non200 = 0;

  // --- measured: post every webhook, wait until every order is paid and delivered ---
  /** CPU seconds of both processes so far, and the worker's /metrics text they came from. */
  const cpuSeconds = async () => {
    const [a, w] = await Promise.all([
      fetch(`${apiUrl}/metrics`).then((r) => r.text()),
      fetch(`${workerUrl}/metrics`).then((r) => r.text()),
    ]);
    const own = process.cpuUsage();
    if (!mongo.db) throw new Error('the bench lost its MongoDB connection');
    return {
      commands: await readCommandTotals(mongo.db),
      api: metricTotal(a, 'process_cpu_seconds_total'),
      worker: metricTotal(w, 'process_cpu_seconds_total'),
      mongo: processCpuSeconds(mongoPid),
      redis: processCpuSeconds(redis.process.pid),
      // The senders and the Razorpay sandbox run in this process.
      bench: (own.user + own.system) / 1e6,
      workerMetrics: w,
    };
  };
  const cpuBefore = await cpuSeconds();
  log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`,
  );
  const startedWall = Date.now();
  const started = performance.now();
  // The senders share the cores with what is measured, so they cost as little as a client can
  // (one lean keep-alive connection each, http1-connection.ts): with undici's Pool they took
  // 0.57–0.82 ms of CPU per order, with these 0.20–0.23 (docs/performance.md).
  const api = new URL(apiUrl);
  const senders = Array.from(
    { length: Math.min(CONCURRENCY, events.length) },
    () =>
      new Http1Connection({
        host: api.hostname,
        port: Number(api.port),
        headerLines: `Host: ${api.host}\r\nContent-Type: application/json\r\n`,
        connectTimeoutMs: 10_000,
        responseTimeoutMs: 30_000,
        onOpen: () => undefined,
        onClose: () => undefined,
      }),
  );
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const sender of senders) sender.checkTimeout(now);
  }, 1_000);
  stops.push(() => {
    clearInterval(sweep);
    for (const sender of senders) sender.close();
    return Promise.resolve();
  });
  const paidWatcher = watchOrders(mongo, creatorId, ORDERS, events.length);
  // One sender per lane: each lane's requests go over its own connection, one at a time.
  await pool(events.length, senders.length, async (i, lane) => {
    const ev = events[i] as SignedEvent;
    const t0 = performance.now();
    const res = await (senders[lane] as Http1Connection).request(
      'POST',
      '/api/v1/webhooks/razorpay/platform',
      {
        headerLines:
          `X-Razorpay-Event-Id: ${ev.eventId}\r\n` + `X-Razorpay-Signature: ${ev.signature}\r\n`,
        body: ev.body,
      },
    );
    latencies.push(performance.now() - t0);
    if (res.status !== 200) non200 += 1;
    if (ev.event === 'payment.captured') acceptedAt.set(ev.orderId, Date.now());
  });
  const acceptSeconds = (performance.now() - started) / 1000;
  const { paidSeconds, processedSeconds, deliveredSeconds } = await paidWatcher(started);

  const rows = await orderModel(mongo)
    .find({ creatorId }, { paidAt: 1, 'delivery.deliveredAt': 1 })
    .lean<Array<{ _id: Types.ObjectId; paidAt?: Date; delivery?: { deliveredAt?: Date } }>>()
    .exec();
  const toPaid: number[] = [];
  const toDelivered: number[] = [];
  for (const r of rows) {
    const accepted = acceptedAt.get(String(r._id));
    if (accepted === undefined || !r.paidAt) continue;
    // The worker may apply an event before the sender has read the 200.
    toPaid.push(Math.max(0, r.paidAt.getTime() - accepted));
    if (r.delivery?.deliveredAt)
      toDelivered.push(r.delivery.deliveredAt.getTime() - r.paidAt.getTime());
  }
  const cpuAfter = await cpuSeconds();
  const metrics = cpuAfter.workerMetrics;

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const lat = percentiles(latencies);
  const paid = percentiles(toPaid);
  const delivered = percentiles(toDelivered);
  log('');
  log(
    `webhooks: ${ORDERS} orders × 3 events = ${events.length} signed webhooks, ${CONCURRENCY} concurrent senders`,
  );
  log(
    `          one API process, one worker process (WORKER_CONCURRENCY=${WORKER_CONCURRENCY}), ${process.env.MONGO_URL ? 'MONGO_URL' : 'in-repo MongoDB server'}`,
  );
  log(
    `accepted: ${events.length} in ${acceptSeconds.toFixed(2)} s = ${(events.length / acceptSeconds).toFixed(0)} webhooks/s; non-200: ${non200}`,
  );
  log(
    `          latency p50 ${ms(lat.p50)}, p95 ${ms(lat.p95)}, p99 ${ms(lat.p99)}, max ${ms(lat.max)}`,
  );
  log(
    `paid:     ${ORDERS} orders in ${paidSeconds.toFixed(2)} s from the first webhook = ${(ORDERS / paidSeconds).toFixed(0)} orders paid/s`,
  );
  log(
    `          capture accepted → order paid p50 ${ms(paid.p50)}, p95 ${ms(paid.p95)}, p99 ${ms(paid.p99)}, max ${ms(paid.max)}`,
  );
  const acceptedPerSecond = events.length / acceptSeconds;
  const processedPerSecond = events.length / processedSeconds;
  log(
    `processed: ${events.length} events in ${processedSeconds.toFixed(2)} s from the first webhook = ${processedPerSecond.toFixed(0)} events/s (${((processedPerSecond / acceptedPerSecond) * 100).toFixed(0)} % of the accept rate)`,
  );
  log(
    `delivered: all ${ORDERS} in ${deliveredSeconds.toFixed(2)} s; paid → delivered p50 ${ms(delivered.p50)}, p99 ${ms(delivered.p99)}`,
  );
  const apiCpuMs = ((cpuAfter.api - cpuBefore.api) * 1000) / events.length;
  const workerCpuMs = ((cpuAfter.worker - cpuBefore.worker) * 1000) / ORDERS;
  log(
    `cpu:      API ${apiCpuMs.toFixed(2)} ms per webhook; worker ${workerCpuMs.toFixed(2)} ms per order (3 events + delivery)`,
  );
  log(
    `mongodb:  commands per order (all processes): ${commandsPerOrder(cpuBefore.commands, cpuAfter.commands, ORDERS)}`,
  );
  const perOrder = (after: number | undefined, before: number | undefined) =>
    after === undefined || before === undefined
      ? 'n/a'
      : `${(((after - before) * 1000) / ORDERS).toFixed(2)} ms`;
  log(
    `          per order: MongoDB ${perOrder(cpuAfter.mongo, cpuBefore.mongo)}${process.env.MONGO_URL ? ' (MONGO_URL: not measured)' : ''}, redis-server ${perOrder(cpuAfter.redis, cpuBefore.redis)}, senders ${perOrder(cpuAfter.bench, cpuBefore.bench)}`,
  );
  log(
    `worker:   ${summarizeMetric(metrics, 'webhooks_processed_total', 'outcome')}; dlq ${summarizeMetric(metrics, 'dlq_size', 'status')}`,
  );
  log(
    `machine:  ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1/5/15 min) at the end; started ${new Date(startedWall).toISOString()}`,
  );
}

/** The commands run between two readings, per order, busiest first (≥ 0.05 per order). */
function commandsPerOrder(
  before: Map<string, number>,
  after: Map<string, number>,
  orders: number,
): string {
  // The bench's own progress polls (countDocuments → aggregate) and these readings are not the
  // system's work.
  const rows = commandsBetween(before, after, ['aggregate', 'serverStatus'])
    .map(([name, ran]) => [name, ran / orders] as const)
    .filter(([, per]) => per >= 0.05);
  const sum = rows.reduce((a, [, per]) => a + per, 0);
  return `${sum.toFixed(1)} (${rows.map(([n, v]) => `${n} ${v.toFixed(1)}`).join(', ')}; the bench's polls excluded)`;
}

/**
 * Polls until `orders` orders of `creatorId` are paid and delivered and all `events` inbox events
 * are processed; returns when each finished, in seconds from `started`.
 */
function watchOrders(mongo: Connection, creatorId: Types.ObjectId, orders: number, events: number) {
  return async (started: number) => {
    const model = orderModel(mongo);
    const inbox = mongo.collection('webhook_events');
    const done: { paidSeconds?: number; processedSeconds?: number; deliveredSeconds?: number } = {};
    const mark = (key: keyof typeof done) => {
      done[key] ??= (performance.now() - started) / 1000;
    };
    return eventually(
      async () => {
        if (
          done.paidSeconds === undefined &&
          (await model.countDocuments({ creatorId, status: 'paid' })) >= orders
        )
          mark('paidSeconds');
        if (
          done.processedSeconds === undefined &&
          (await inbox.countDocuments({ status: 'processed' })) >= events
        )
          mark('processedSeconds');
        if (
          done.deliveredSeconds === undefined &&
          (await model.countDocuments({ creatorId, 'delivery.status': 'delivered' })) >= orders
        )
          mark('deliveredSeconds');
        const { paidSeconds, processedSeconds, deliveredSeconds } = done;
        if (paidSeconds === undefined || processedSeconds === undefined) return undefined;
        if (deliveredSeconds === undefined) return undefined;
        return { paidSeconds, processedSeconds, deliveredSeconds };
      },
      // Not tighter: the poll itself is load on the MongoDB server under test.
      { what: 'every order paid and delivered', timeoutMs: 10 * 60_000, intervalMs: 200 },
    );
  };
}

try {
  await main();
} finally {
  for (const c of children.reverse()) await c.stop().catch(() => undefined);
  for (const s of stops.reverse()) await s().catch(() => undefined);
}
