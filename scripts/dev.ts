// `make dev`: starts a local stand-in for every external service whose URL is not given in the
// environment, prepares the database (indexes, demo data), then runs the API and the worker as
// child processes until Ctrl-C, and stops everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  startMongoServer,
  startRazorpaySandbox,
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
import { seedDemo } from './seed-demo.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const stops: Array<() => Promise<void>> = [];
const children: ChildProcess[] = [];
let shuttingDown = false;

function log(msg: string): void {
  process.stdout.write(`[dev] ${msg}\n`);
}

async function startServices(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  if (!process.env.REDIS_URL) {
    const redis = await startRedisServer();
    stops.push(() => redis.stop());
    env.REDIS_URL = redis.url;
    log(`redis-server      ${redis.url}`);
  }
  if (!process.env.MONGO_URL) {
    const mongo = await startMongoServer();
    stops.push(() => mongo.stop());
    env.MONGO_URL = withDatabase(mongo.url, 'storefront');
    log(`MongoDB (in-repo) ${mongo.url}`);
  }
  if (!process.env.RAZORPAY_API_BASE_URL) {
    const sandbox = await startRazorpaySandbox();
    stops.push(() => sandbox.stop());
    env.RAZORPAY_API_BASE_URL = sandbox.url;
    log(`Razorpay sandbox  ${sandbox.url}`);
  }
  if (!process.env.S3_ENDPOINT) {
    const s3 = await startS3Server({ buckets: [process.env.S3_BUCKET ?? 'storefront-files'] });
    stops.push(() => s3.stop());
    env.S3_ENDPOINT = s3.endpoint;
    env.S3_FORCE_PATH_STYLE = 'true';
    log(`S3 (s3rver)       ${s3.endpoint}`);
  }
  return env;
}

async function registerPlatformAccount(config: Config, apiUrl: string): Promise<void> {
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
  }).catch(() => undefined);
  if (!res?.ok) log('note: could not register the platform account with the Razorpay sandbox');
}

function run(name: string, script: string, env: NodeJS.ProcessEnv): ChildProcess {
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
  child.once('exit', (code, signal) => {
    if (!shuttingDown) {
      log(`${name} exited unexpectedly (code ${code}, signal ${signal}); stopping everything`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !shuttingDown) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    log('stopping…');
    await Promise.all(
      children.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
        await once(c, 'exit');
        clearTimeout(t);
      }),
    );
    await Promise.allSettled(stops.reverse().map((s) => s()));
    log('stopped');
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const serviceEnv = await startServices();
  const env = { NODE_ENV: 'development', ...process.env, ...serviceEnv };
  const config = loadConfig(env);
  const logger = createLogger({ level: 'warn', service: 'dev' });

  const conn = await createMongoConnection({ url: config.MONGO_URL, poolSize: 2, logger });
  await ensureIndexes(conn);
  const { usernames } = await seedDemo(conn);
  // serviceEnv.S3_ENDPOINT is set only when startServices started s3rver.
  const files = await attachDemoFiles(conn, config, !serviceEnv.S3_ENDPOINT);
  await conn.close();
  log(`seeded demo data (${usernames.length} creator(s), ${files} new demo file(s))`);

  const apiUrl = `http://127.0.0.1:${config.API_PORT}`;
  const workerUrl = `http://127.0.0.1:${config.WORKER_HEALTH_PORT}`;
  if (serviceEnv.RAZORPAY_API_BASE_URL) await registerPlatformAccount(config, apiUrl);

  run('api', 'apps/api/src/main.ts', env);
  run('worker', 'apps/worker/src/main.ts', env);
  await Promise.all([
    waitReady(`${apiUrl}/readyz`, 60_000),
    waitReady(`${workerUrl}/readyz`, 60_000),
  ]);

  log('ready:');
  log(`  API                ${apiUrl}`);
  log(`  demo storefront    ${apiUrl}/api/v1/store/demo`);
  log(`  API metrics        ${apiUrl}/metrics`);
  log(`  worker health      ${workerUrl}/readyz   metrics ${workerUrl}/metrics`);
  log(`  Bull Board         ${apiUrl}/admin/queues   (user ${config.ADMIN_USERNAME})`);
  log(`  Razorpay sandbox   ${config.RAZORPAY_API_BASE_URL}`);
  log('Ctrl-C stops everything.');
} catch (err) {
  process.stderr.write(`[dev] ${err instanceof ConfigError ? err.message : String(err)}\n`);
  await shutdown(1);
}
