import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import {
  freePort,
  startRazorpaySandbox,
  withDatabase,
  type RazorpaySandbox,
} from '@storefront/devstack';
import { ensureIndexes, loadConfig, type Config } from '@storefront/shared';
import {
  newRazorpayKeys,
  productionSecrets,
  type RazorpayKeys,
  startAlertSink,
} from '@storefront/test-support';
import type { RedisDeployment } from './options.ts';
import { httpOk, managedProcess, printed, type ManagedProcess } from './processes.ts';
import { startChaosRedis, type ChaosRedis } from './redis-stack.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from './webhook-proxy.ts';

// The system under test, as production runs it (NODE_ENV=production), twice over: two API
// processes behind a round-robin proxy for the sandbox's webhooks, two workers, and their own
// redis-server, MongoDB server and Razorpay sandbox. Timings are shortened so that retries,
// sweeps and reconciliation happen within the run.

/** Settings of the stack that follow from the run's options. */
export interface StackSettings {
  retryTimeScale: number;
  redis: RedisDeployment;
  /** External MongoDB; a database of the run's own is created (and dropped on success). */
  mongoUrl?: string;
  log: (line: string) => void;
}

export interface ChaosStack {
  runDir: string;
  /** Validated config with the children's values (for seeding with the same encryption keys). */
  config: Config;
  /** The `appName` the API and worker connections announce; failpoints target only them. */
  appName: string;
  /** The orchestrator's own connection: short timeouts, never hit by failpoints. */
  mongo: Connection;
  sandbox: RazorpaySandbox;
  /** The stack's Razorpay platform account. */
  platform: RazorpayKeys;
  proxy: RoundRobinProxy;
  /** Collects the alerts the workers send, as an alert webhook (e.g. Slack) would receive them. */
  alerts: Awaited<ReturnType<typeof startAlertSink>>;
  apiUrls: string[];
  apis: ManagedProcess[];
  workers: ManagedProcess[];
  /** The run's Redis deployment and its fault (crash and empty restart, or a failover). */
  redis: ChaosRedis;
  /** Every child and service, stopped; safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILLs every child process at once (for `process.on('exit')`, when nothing can wait). */
  killAllSync(): void;
}

// Shortened timings: sweeps every 5 s (a sweep reads up to 5 000 unfinished inbox events, so
// sweeping every second floods MongoDB while there is a backlog); reconciliation every 2 s for
// orders older than 10 s (younger ones are the webhooks' job: checking them too doubles the work
// while webhooks are behind); unpaid orders expire after 30 s (a capture still wins over an
// expiry).
const TIMINGS = {
  WEBHOOK_SWEEP_INTERVAL_MS: '5000',
  // Jobs whose worker was SIGKILLed, or whose completion a Redis failover lost, run again within
  // about 10 s instead of BullMQ's 60.
  WORKER_LOCK_DURATION_MS: '5000',
  WORKER_STALLED_INTERVAL_MS: '5000',
  // A failover can lose the schedulers' next runs without a reconnect: re-assert them often.
  WORKER_SCHEDULE_CHECK_MS: '2000',
  RECONCILE_INTERVAL_MS: '2000',
  RECONCILE_MIN_AGE_MS: '10000',
  RECONCILE_ORDER_EXPIRY_MS: '30000',
  RECONCILE_BATCH_SIZE: '100',
  RECONCILE_CONCURRENCY: '8',
  RECONCILE_LOCK_TTL_MS: '10000',
  RAZORPAY_MAX_CALLS_PER_SECOND: '200',
  RAZORPAY_BACKOFF_BASE_MS: '200',
  RAZORPAY_BACKOFF_MAX_MS: '2000',
  SHUTDOWN_TIMEOUT_MS: '5000',
};

/** Starts everything; on failure stops what it started and rethrows. */
export async function startChaosStack(settings: StackSettings): Promise<ChaosStack> {
  const runId = `chaos_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const runDir = mkdtempSync(join(tmpdir(), 'storefront-chaos-'));
  const stops: Array<() => Promise<void>> = [];
  const children: ManagedProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.allSettled(children.map((c) => c.stop(8_000)));
      for (const s of stops.reverse()) await s().catch(() => undefined);
    })();
    return stopping;
  };

  try {
    // --- MongoDB: the in-repo server as a child process, or an external one ---
    let mongoBase: string;
    if (settings.mongoUrl) {
      mongoBase = settings.mongoUrl;
    } else {
      const port = await freePort();
      const mongoProc = managedProcess({
        name: 'mongo',
        script: 'packages/devstack/src/cli.ts',
        args: ['mongo', '--port', String(port)],
        env: { ...process.env },
        logDir: runDir,
        ready: printed('mongo listening on'),
      });
      children.push(mongoProc);
      await mongoProc.start();
      mongoBase = `mongodb://127.0.0.1:${port}`;
    }
    const mongoUrl = withDatabase(mongoBase, runId);
    const appName = runId;
    const mongo = mongoose.createConnection(mongoUrl, {
      appName: 'chaos-orchestrator',
      maxPoolSize: 8,
      serverSelectionTimeoutMS: 3_000,
      socketTimeoutMS: 20_000,
      autoIndex: false,
      autoCreate: false,
    });
    await mongo.asPromise();
    stops.push(async () => {
      await mongo.close(true);
    });
    await ensureIndexes(mongo);

    // --- Redis ---
    const queuePrefix = `{${runId}}`;
    const redis = await startChaosRedis(settings.redis, queuePrefix);
    stops.push(() => redis.stop());

    // --- Razorpay sandbox, alert sink ---
    const sandbox = await startRazorpaySandbox({
      // Razorpay retries for 24 h; here a failed delivery gets 5 more tries over ~8 s.
      webhookRetries: 5,
      retryDelayMs: 250,
      webhookTimeoutMs: 5_000,
    });
    stops.push(() => sandbox.stop());
    const alerts = await startAlertSink();
    stops.push(() => alerts.close());

    // --- the two APIs and the proxy in front of them ---
    const apiPorts = [await freePort(), await freePort()];
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    const proxy = await startRoundRobinProxy(apiUrls);
    stops.push(() => proxy.stop());

    const platform = newRazorpayKeys();
    sandbox.addAccount({
      ...platform,
      webhookUrl: `${proxy.url}/api/v1/webhooks/razorpay/platform`,
    });

    const env: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      MONGO_URL: `${mongoUrl}${mongoUrl.includes('?') ? '&' : '?'}appName=${appName}`,
      MONGO_POOL_SIZE: '20',
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '5000',
      ...redis.env,
      QUEUE_PREFIX: queuePrefix,
      REDIS_KEY_PREFIX: `${runId}:`,
      RAZORPAY_API_BASE_URL: sandbox.url,
      ...productionSecrets('ch1', platform),
      RAZORPAY_TIMEOUT_MS: '4000',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      API_HOST: '127.0.0.1',
      API_WORKERS: '1',
      WORKER_HOST: '127.0.0.1',
      WORKER_HEALTH_PORT: '0',
      RATE_LIMIT_PUBLIC_PER_MIN: '100000000',
      RATE_LIMIT_AUTH_PER_MIN: '100000000',
      RATE_LIMIT_WEBHOOK_PER_MIN: '100000000',
      WEBHOOK_RETRY_TIME_SCALE: String(settings.retryTimeScale),
      ALERT_WEBHOOK_URL: alerts.url,
      ...TIMINGS,
    };
    const config = loadConfig({ ...env, API_PORT: '0', PUBLIC_BASE_URL: 'http://127.0.0.1' });
    const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      ...extra,
    });

    const apis = apiPorts.map((port, i) =>
      managedProcess({
        name: `api-${i + 1}`,
        script: 'apps/api/src/main.ts',
        env: childEnv({
          API_PORT: String(port),
          PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
          SERVICE_NAME: `api-${i + 1}`,
        }),
        logDir: runDir,
        ready: httpOk(`http://127.0.0.1:${port}/readyz`),
        readyTimeoutMs: 90_000,
      }),
    );
    const workers = [1, 2].map((n) =>
      managedProcess({
        name: `worker-${n}`,
        script: 'apps/worker/src/main.ts',
        env: childEnv({ SERVICE_NAME: `worker-${n}` }),
        logDir: runDir,
        ready: printed('"worker started"'),
        readyTimeoutMs: 90_000,
      }),
    );
    children.push(...apis, ...workers);
    await Promise.all([...apis, ...workers].map((p) => p.start()));
    settings.log(
      `stack up: APIs ${apiUrls.join(', ')} behind ${proxy.url}; 2 workers; ${redis.description}; ` +
        `MongoDB ${settings.mongoUrl ? 'external' : 'in-repo server'} (db ${runId}); logs in ${runDir}`,
    );

    return {
      runDir,
      config,
      appName,
      mongo,
      sandbox,
      platform,
      proxy,
      alerts,
      apiUrls,
      apis,
      workers,
      redis,
      stop,
      killAllSync: () => {
        for (const c of children) {
          const pid = c.pid();
          if (pid === undefined) continue;
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        redis.killAllSync();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
