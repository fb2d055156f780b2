// `make dev`: starts a local stand-in for every external service whose URL is not given in the
// environment, prepares the database (indexes, demo data), then runs the API and the worker as
// child processes until Ctrl-C, and stops everything it started. With TLS_CERT_FILE and
// TLS_KEY_FILE the API serves HTTPS: readiness is checked, URLs are printed and the sandbox's
// webhooks are delivered over https://, trusting that certificate. DEV_REDIS=cluster|sentinel
// starts a local Redis Cluster or Sentinel deployment instead of one redis-server; with
// REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS set, nothing is started for Redis.
//
// Ctrl-C (SIGINT or SIGTERM) is handled the same at any point, also during start-up: the step in
// progress is aborted (the readiness poll at once, a stand-in once it is up), the API and the
// worker drain and exit on their own, then the stand-ins stop in reverse order; exit 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  startMongoServer,
  startRazorpaySandbox,
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
  startS3Server,
  withDatabase,
} from '@storefront/devstack';
import {
  createLogger,
  createMongoConnection,
  ensureIndexes,
  loadConfig,
  ConfigError,
  type Config,
} from '@storefront/shared';
import { attachDemoFiles } from './dev-demo-files.ts';
import { attachDemoImages } from './dev-demo-images.ts';
import { waitReady } from './dev-ready.ts';
import { DEMO_USERNAME, seedDemo } from './seed-demo.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
/** How the stand-ins stop, in start order (stopped in reverse). */
const stops: Array<() => Promise<void>> = [];
const children: Array<{ child: ChildProcess; closed: Promise<unknown> }> = [];
// Aborted by Ctrl-C/SIGTERM, by a child that exits on its own or by a start-up error. Every
// start-up step checks it; the readiness poll is cancelled by it.
const stopping = new AbortController();
const stopRequested = new Promise<void>((resolve) =>
  stopping.signal.addEventListener('abort', () => resolve(), { once: true }),
);
let exitCode = 0;
// When a child that ignores SIGTERM is killed; each child bounds its own shutdown well below this
// (SHUTDOWN_TIMEOUT_MS + 5 s), so it is a last resort, never the way children normally stop.
let killAfterMs = 15_000;

function log(msg: string): void {
  process.stdout.write(`[dev] ${msg}\n`);
}

function requestStop(code: number): void {
  if (stopping.signal.aborted) return;
  exitCode = code;
  log('stopping…');
  stopping.abort();
}

function onSignal(): void {
  if (stopping.signal.aborted) log('already stopping: waiting for the API and the worker to drain');
  else requestStop(0);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** Records how to stop a stand-in that is up, then gives up if a stop was asked meanwhile. */
function started<T extends { stop(): Promise<void> }>(handle: T, signal: AbortSignal): T {
  stops.push(() => handle.stop());
  signal.throwIfAborted();
  return handle;
}

async function startServices(
  signal: AbortSignal,
  webhookCa: string | undefined,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const redisGiven =
    process.env.REDIS_URL || process.env.REDIS_CLUSTER_NODES || process.env.REDIS_SENTINELS;
  const devRedis = process.env.DEV_REDIS ?? 'single';
  if (!redisGiven && devRedis === 'cluster') {
    const cluster = started(await startRedisCluster(), signal);
    env.REDIS_CLUSTER_NODES = cluster.nodesList;
    log(`Redis Cluster     ${cluster.nodesList}`);
  } else if (!redisGiven && devRedis === 'sentinel') {
    const sentinel = started(await startRedisSentinel(), signal);
    env.REDIS_SENTINELS = sentinel.sentinelsList;
    env.REDIS_SENTINEL_MASTER = sentinel.masterName;
    log(`Redis Sentinel    ${sentinel.sentinelsList} (master ${sentinel.masterName})`);
  } else if (!redisGiven) {
    if (devRedis !== 'single') throw new Error(`DEV_REDIS must be single, cluster or sentinel`);
    const redis = started(await startRedisServer(), signal);
    env.REDIS_URL = redis.url;
    log(`redis-server      ${redis.url}`);
  }
  if (!process.env.MONGO_URL) {
    const mongo = started(await startMongoServer(), signal);
    env.MONGO_URL = withDatabase(mongo.url, 'storefront');
    log(`MongoDB (in-repo) ${mongo.url}`);
  }
  if (!process.env.RAZORPAY_API_BASE_URL) {
    const sandbox = started(await startRazorpaySandbox(webhookCa ? { webhookCa } : {}), signal);
    env.RAZORPAY_API_BASE_URL = sandbox.url;
    env.RAZORPAY_CHECKOUT_URL = `${sandbox.url}/v1/checkout.js`;
    log(`Razorpay sandbox  ${sandbox.url}`);
  }
  if (!process.env.S3_ENDPOINT) {
    const bucket = process.env.S3_BUCKET ?? 'storefront-files';
    const images = process.env.S3_IMAGES_BUCKET ?? 'storefront-images';
    const s3 = started(await startS3Server({ buckets: [bucket, images] }), signal);
    env.S3_ENDPOINT = s3.endpoint;
    env.S3_FORCE_PATH_STYLE = 'true';
    log(`S3 (s3rver)       ${s3.endpoint}`);
  }
  return env;
}

/** Indexes, the demo creator and the demo products' files. */
async function prepareData(config: Config, s3Started: boolean, signal: AbortSignal): Promise<void> {
  const logger = createLogger({ level: 'warn', service: 'dev' });
  const conn = await createMongoConnection({ url: config.MONGO_URL, poolSize: 2, logger });
  try {
    await ensureIndexes(conn);
    signal.throwIfAborted();
    const { usernames } = await seedDemo(conn);
    signal.throwIfAborted();
    const files = await attachDemoFiles(conn, config, !s3Started);
    log(`seeded demo data (${usernames.length} creator(s), ${files} new demo file(s))`);
  } finally {
    await conn.close();
  }
}

async function registerPlatformAccount(
  config: Config,
  apiUrl: string,
  signal: AbortSignal,
): Promise<void> {
  // Only the local sandbox accepts this; a real Razorpay account is configured in its dashboard.
  const res = await fetch(`${config.RAZORPAY_API_BASE_URL}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      keyId: config.RAZORPAY_KEY_ID,
      keySecret: config.RAZORPAY_KEY_SECRET,
      webhookSecret: config.RAZORPAY_WEBHOOK_SECRET,
      webhookUrl: `${apiUrl}/api/v1/webhooks/razorpay/platform`,
    }),
    signal,
  }).catch(() => undefined);
  signal.throwIfAborted();
  if (!res?.ok) log('note: could not register the platform account with the Razorpay sandbox');
}

function run(name: string, script: string, env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => `[${name}] ${l}\n`)
      .join('');
  child.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  child.once('error', (err) => {
    log(`${name} could not run: ${err.message}`);
    requestStop(1);
  });
  child.once('exit', (code, signal) => {
    if (stopping.signal.aborted) return;
    // A terminal's Ctrl-C reaches the whole process group; a child still loading (no handler
    // yet) dies of it, possibly just before this process handles the same Ctrl-C.
    if (signal === 'SIGINT') {
      requestStop(0);
      return;
    }
    log(`${name} exited unexpectedly (code ${code}, signal ${signal}); stopping everything`);
    requestStop(1);
  });
  // 'close' comes after the exit and the end of its output, so nothing it printed is lost.
  children.push({ child, closed: once(child, 'close').catch(() => undefined) });
}

/** SIGTERM to the API and the worker (they drain and exit), then the stand-ins, newest first. */
async function stopEverything(): Promise<void> {
  await Promise.all(
    children.map(async ({ child, closed }) => {
      const running = child.exitCode === null && child.signalCode === null;
      if (running) child.kill('SIGTERM');
      const timer = running ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
      await closed;
      clearTimeout(timer);
    }),
  );
  for (const stop of stops.reverse()) {
    await stop().catch((err: unknown) => log(`error while stopping a stand-in: ${String(err)}`));
  }
}

async function start(signal: AbortSignal): Promise<void> {
  // Parsed before anything starts, so a bad variable costs nothing to report.
  const given = loadConfig({ NODE_ENV: 'development', ...process.env });
  killAfterMs = given.SHUTDOWN_TIMEOUT_MS + 10_000;
  const certFile = given.TLS_KEY_FILE === undefined ? undefined : given.TLS_CERT_FILE;
  const cert = certFile === undefined ? undefined : readFileSync(certFile, 'utf8');

  const serviceEnv = await startServices(signal, cert);
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'development', ...process.env, ...serviceEnv };
  const config = loadConfig(env);
  const apiUrl = `${cert ? 'https' : 'http'}://127.0.0.1:${config.API_PORT}`;
  const workerUrl = `http://127.0.0.1:${config.WORKER_HEALTH_PORT}`;
  // Links the API hands out (order status, webhook URL) then match the scheme and port it serves.
  env.PUBLIC_BASE_URL ??= `${cert ? 'https' : 'http'}://localhost:${config.API_PORT}`;

  // serviceEnv.S3_ENDPOINT is set only when startServices started s3rver.
  await prepareData(config, serviceEnv.S3_ENDPOINT !== undefined, signal);
  signal.throwIfAborted();
  if (serviceEnv.RAZORPAY_API_BASE_URL) await registerPlatformAccount(config, apiUrl, signal);

  run('api', 'apps/api/src/main.ts', env);
  run('worker', 'apps/worker/src/main.ts', env);
  await Promise.all([
    waitReady(`${apiUrl}/readyz`, { timeoutMs: 60_000, signal, ...(cert ? { trust: cert } : {}) }),
    waitReady(`${workerUrl}/readyz`, { timeoutMs: 60_000, signal }),
  ]);

  const images = await attachDemoImages(apiUrl, cert);
  if (images > 0) log(`uploaded ${images} demo image(s) through the API`);

  log('ready:');
  log(`  API                ${apiUrl}`);
  log(
    `  demo storefront    ${apiUrl}/${DEMO_USERNAME}   (JSON: ${apiUrl}/api/v1/store/${DEMO_USERNAME})`,
  );
  log(`  API metrics        ${apiUrl}/metrics`);
  log(`  worker health      ${workerUrl}/readyz   metrics ${workerUrl}/metrics`);
  log(`  Bull Board         ${apiUrl}/admin/queues   (user ${config.ADMIN_USERNAME})`);
  log(`  Razorpay sandbox   ${config.RAZORPAY_API_BASE_URL}`);
  if (certFile) log(`  TLS certificate    ${certFile}   (e.g. curl --cacert ${certFile})`);
  log('Ctrl-C stops everything.');
}

try {
  await start(stopping.signal);
  await stopRequested;
} catch (err) {
  // After a stop request, errors are only the aborted steps: nothing to report.
  if (!stopping.signal.aborted) {
    process.stderr.write(`[dev] ${err instanceof ConfigError ? err.message : String(err)}\n`);
    requestStop(1);
  }
}
await stopEverything();
log('stopped');
process.exit(exitCode);
