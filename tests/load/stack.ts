import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, type WriteStream } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  startRazorpaySandbox,
  startRedisServer,
  startS3Server,
  withDatabase,
  type RazorpaySandbox,
  type SandboxOptions,
} from '@storefront/devstack';
import { createLogger, createMongoConnection, ensureIndexes } from '@storefront/shared';
import {
  endLog,
  newRazorpayKeys,
  pipeChildOutput,
  pollUntil,
  productionSecrets,
  startMongoProcess,
  tailOf,
  webhookUrl,
  type ChildOutput,
  type RazorpayKeys,
} from '@storefront/test-support';
import { seedDemo } from '../../scripts/seed-demo.ts';
import { setSchedGroupNice } from './sched-group.ts';

// The system under test, as production runs it: NODE_ENV=production, the API on every core
// (node:cluster; `apiProcesses` sets another count, 1 without a cluster), the worker, and their
// own redis-server and MongoDB server (or MONGO_URL / REDIS_URL when given). Nothing is warmed up
// by hand. The in-repo MongoDB server runs in a process of its own, as a database would: in the
// generator's process its work delayed the generator's own sends and reads, which the client
// latencies then counted.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLUSTER_METRICS_REQUEST = 'storefront:cluster-metrics:request';
const CLUSTER_METRICS_RESPONSE = 'storefront:cluster-metrics:response';

export interface StackOptions {
  /** Use this MongoDB instead of starting the in-repo server (a fresh database is created and dropped). */
  mongoUrl?: string;
  /** Use this Redis instead of starting redis-server (keys get a per-run prefix). */
  redisUrl?: string;
  seed: { creators: number; productsPerCreator: number };
  /** Open-files limit each child needs; children are started under `ulimit -n` when it is raised. */
  childNofile?: number;
  /** Options of the Razorpay sandbox (e.g. how Checkout payments' webhooks are delivered). */
  sandbox?: SandboxOptions;
  /** Extra environment of the API and the worker (e.g. a raised webhook rate limit). */
  env?: Record<string, string>;
  /** API processes (default: one per core, `API_WORKERS=0`; 1 runs it without a cluster). */
  apiProcesses?: number;
  /**
   * The worker's scheduling group at this nice (0-19; above 0, a smaller CPU share than the API's
   * when the cores are all taken; sched-group.ts). Default: none set, every group alike.
   */
  workerNice?: number;
  log: (line: string) => void;
}

export interface Stack {
  apiUrl: string;
  /** The MongoDB database the API and the worker use. */
  mongoUrl: string;
  /** The Razorpay sandbox (in this process); the platform account sends its webhooks to the API. */
  sandbox: RazorpaySandbox;
  platform: RazorpayKeys;
  workerLogFile: string;
  usernames: string[];
  apiProcesses: number;
  /** The API's metrics for all its processes: aggregated by the cluster primary, or one process's. */
  apiMetrics(): Promise<{ text: string; source: string }>;
  /** The worker's /metrics (undefined when unreachable). */
  workerMetrics(): Promise<string | undefined>;
  /** Stops the API, the worker and every service this stack started; safe to call twice. */
  stop(): Promise<void>;
}

interface Child {
  name: 'api' | 'worker';
  proc: ChildProcess;
  log: WriteStream;
  output: ChildOutput;
  logFile: string;
  exited: Promise<void>;
}

/** Starts services, seeds data, then the API cluster and the worker; stops what it started on failure. */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const stops: Array<() => Promise<void>> = [];
  const children: Child[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'storefront-load-'));
  const runId = `loadtest_${Date.now().toString(36)}`;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(children.map((c) => stopChild(c)));
      for (const s of stops.reverse()) await s().catch(() => undefined);
    })();
    return stopping;
  };

  try {
    const { env, sandbox } = await startServices(opts, runId, stops);
    const platform = newRazorpayKeys();
    const usernames = await seed(env.MONGO_URL, opts, stops, Boolean(opts.mongoUrl));
    const apiPort = await freePort('127.0.0.1');
    const workerPort = await freePort('127.0.0.1');
    const metricsToken = randomBytes(24).toString('hex');
    const apiProcesses = opts.apiProcesses ?? availableParallelism();
    if (!Number.isInteger(apiProcesses) || apiProcesses < 1) {
      throw new Error(`apiProcesses must be a whole number of at least 1, not ${apiProcesses}`);
    }
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...env,
      ...productionSecrets('lt1', platform),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      API_WORKERS: String(apiProcesses),
      PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
      WORKER_HOST: '127.0.0.1',
      WORKER_HEALTH_PORT: String(workerPort),
      // The load generator is the loopback "proxy"; its X-Forwarded-For is the client address.
      TRUST_PROXY: 'loopback',
      METRICS_TOKEN: metricsToken,
      ...opts.env,
    };
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const workerUrl = `http://127.0.0.1:${workerPort}`;
    // Checkouts of creators without their own account use the platform's: the sandbox knows it
    // and sends its webhooks to the API.
    sandbox.addAccount({ ...platform, webhookUrl: webhookUrl(apiUrl, 'platform') });

    const api = spawnChild('api', 'apps/api/src/main.ts', childEnv, logDir, opts.childNofile, true);
    children.push(api);
    const worker = spawnChild(
      'worker',
      'apps/worker/src/main.ts',
      childEnv,
      logDir,
      opts.childNofile,
      false,
    );
    children.push(worker);
    if (opts.workerNice !== undefined && worker.proc.pid !== undefined) {
      const warning = setSchedGroupNice(worker.proc.pid, opts.workerNice);
      opts.log(warning ?? `worker's scheduling group at nice ${opts.workerNice}`);
    }
    const listening = countLines(api, '"api listening"', apiProcesses);
    await Promise.all([
      waitFor(`${apiProcesses} API process(es) listening`, listening, [api, worker], 120_000),
      waitFor('API ready', waitHttp(`${apiUrl}/readyz`, 120_000), [api, worker], 120_000),
      waitFor('worker ready', waitHttp(`${workerUrl}/readyz`, 120_000), [api, worker], 120_000),
    ]);
    opts.log(
      `stack up: API ${apiUrl} (${apiProcesses} processes), worker ${workerUrl}, logs ${logDir}`,
    );

    let nextId = 1;
    const apiMetrics = async (): Promise<{ text: string; source: string }> => {
      if (apiProcesses > 1) {
        const id = nextId++;
        const answer = new Promise<{ text?: string; error?: string }>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error('no cluster metrics from the API primary in 10 s')),
            10_000,
          );
          const onMessage = (msg: unknown) => {
            const m = msg as { type?: string; id?: number; text?: string; error?: string };
            if (m.type !== CLUSTER_METRICS_RESPONSE || m.id !== id) return;
            clearTimeout(timer);
            api.proc.off('message', onMessage);
            resolve(m);
          };
          api.proc.on('message', onMessage);
        });
        api.proc.send({ type: CLUSTER_METRICS_REQUEST, id });
        const m = await answer;
        if (m.text === undefined)
          throw new Error(`cluster metrics failed: ${m.error ?? 'no text'}`);
        return { text: m.text, source: `cluster aggregate over ${apiProcesses} API processes` };
      }
      const res = await fetch(`${apiUrl}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      });
      if (!res.ok) throw new Error(`API /metrics answered ${res.status}`);
      return { text: await res.text(), source: 'single API process' };
    };
    const workerMetrics = async (): Promise<string | undefined> => {
      const res = await fetch(`${workerUrl}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      }).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    };
    return {
      apiUrl,
      mongoUrl: env.MONGO_URL as string,
      sandbox,
      platform,
      workerLogFile: worker.logFile,
      usernames,
      apiProcesses,
      apiMetrics,
      workerMetrics,
      stop,
    };
  } catch (err) {
    const tails = children
      .map((c) => `--- ${c.name} log (${c.logFile}) ---\n${tailOf(c.logFile)}`)
      .join('\n');
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${tails}`, {
      cause: err,
    });
  }
}

async function startServices(
  opts: StackOptions,
  runId: string,
  stops: Array<() => Promise<void>>,
): Promise<{ env: Record<string, string>; sandbox: RazorpaySandbox }> {
  const env: Record<string, string> = {};
  if (opts.redisUrl) {
    env.REDIS_URL = opts.redisUrl;
    env.REDIS_KEY_PREFIX = `${runId}:`;
    env.QUEUE_PREFIX = `{${runId}}`;
  } else {
    const redis = await startRedisServer();
    stops.push(() => redis.stop());
    env.REDIS_URL = redis.url;
  }
  if (opts.mongoUrl) {
    env.MONGO_URL = withDatabase(opts.mongoUrl, runId);
  } else {
    const mongo = await startMongoProcess(await freePort('127.0.0.1'));
    stops.push(() => mongo.stop());
    env.MONGO_URL = withDatabase(mongo.url, 'storefront');
  }
  const sandbox = await startRazorpaySandbox(opts.sandbox);
  stops.push(() => sandbox.stop());
  env.RAZORPAY_API_BASE_URL = sandbox.url;
  const s3 = await startS3Server({ buckets: ['storefront-files'] });
  stops.push(() => s3.stop());
  env.S3_ENDPOINT = s3.endpoint;
  env.S3_FORCE_PATH_STYLE = 'true';
  env.S3_BUCKET = 'storefront-files';
  env.S3_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  env.S3_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
  return { env, sandbox };
}

async function seed(
  mongoUrl: string | undefined,
  opts: StackOptions,
  stops: Array<() => Promise<void>>,
  dropAfter: boolean,
): Promise<string[]> {
  if (!mongoUrl) throw new Error('no MongoDB URL');
  const logger = createLogger({ level: 'error', service: 'load-test' });
  const conn = await createMongoConnection({ url: mongoUrl, poolSize: 4, logger });
  let usernames: string[];
  try {
    // The storefront's lookups (unique username; products by creator) need the indexes the models
    // declare, and an unindexed seed is quadratic.
    await ensureIndexes(conn);
    const t0 = Date.now();
    ({ usernames } = await seedDemo(conn, opts.seed));
    opts.log(`seeded ${usernames.length} creators in ${Date.now() - t0} ms`);
  } finally {
    await conn.close();
  }
  if (dropAfter) {
    // An external MongoDB keeps nothing of the run: the per-run database is dropped at the end.
    stops.push(async () => {
      const c = await createMongoConnection({ url: mongoUrl, poolSize: 1, logger });
      await c.dropDatabase().finally(() => c.close());
    });
  }
  return usernames;
}

function spawnChild(
  name: 'api' | 'worker',
  script: string,
  env: NodeJS.ProcessEnv,
  logDir: string,
  nofile: number | undefined,
  ipc: boolean,
): Child {
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  // Own process group (detached), so stopping it reaches the cluster's worker processes too.
  const [cmd, args] = withNofile(nofile, process.execPath, [script]);
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? (['ipc'] as const) : [])],
  });
  const output = pipeChildOutput(proc, log);
  const exited = once(proc, 'exit').then(() => undefined);
  return { name, proc, log, output, logFile, exited };
}

/** The command line, run under a raised `ulimit -n` when one is asked for. */
export function withNofile(
  nofile: number | undefined,
  cmd: string,
  args: string[],
): [string, string[]] {
  if (nofile === undefined) return [cmd, args];
  return ['/bin/sh', ['-c', `ulimit -n ${nofile} && exec "$@"`, 'sh', cmd, ...args]];
}

async function stopChild(c: Child): Promise<void> {
  const pid = c.proc.pid;
  if (pid !== undefined && c.proc.exitCode === null && c.proc.signalCode === null) {
    // SIGTERM to the primary only: it forwards the signal to its cluster workers, and a worker
    // signalled twice would die mid-drain (it handles the first SIGTERM once).
    process.kill(pid, 'SIGTERM');
    const killed = setTimeout(() => signalGroup(pid, 'SIGKILL'), 20_000);
    await c.exited;
    clearTimeout(killed);
  }
  // Cluster workers left behind by a primary that died get the group's SIGKILL.
  if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  await endLog(c.log, [c.output]);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function countLines(c: Child, needle: string, wanted: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    let buf = '';
    c.proc.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.includes(needle) && ++seen === wanted) resolve();
    });
  });
}

/** Resolves once `url` answers 200; gives up after `timeoutMs`. */
async function waitHttp(url: string, timeoutMs: number): Promise<void> {
  await pollUntil(
    () =>
      fetch(url).then(
        (res) => res.status,
        () => 0,
      ),
    (status) => status === 200,
    { what: `${url} to answer 200`, timeoutMs, intervalMs: 200 },
  );
}

/** Resolves when `p` does; rejects when a child exits first or on timeout. */
async function waitFor(
  what: string,
  p: Promise<void>,
  children: Child[],
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  const died = children.map((c) =>
    c.exited.then(() => {
      throw new Error(
        `${what}: the ${c.name} process exited (code ${c.proc.exitCode}, signal ${c.proc.signalCode})`,
      );
    }),
  );
  try {
    await Promise.race([p, timeout, ...died]);
  } finally {
    clearTimeout(timer);
  }
}
