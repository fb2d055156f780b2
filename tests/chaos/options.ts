import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

/** Everything a chaos run can be told; see OPTION_HELP and docs/reliability.md. */
export interface ChaosOptions {
  /** Checkouts to run. */
  orders: number;
  /** Buyers checking out and paying at once. */
  concurrency: number;
  /** Seed of the run's own random choices (fates of orders, fault timing). */
  seed: number;
  /** A worker is SIGKILLed every [min, max] ms while traffic runs… */
  killEveryMs: [number, number];
  /** …and started again after [min, max] ms… */
  workerDownMs: [number, number];
  /** …until this fraction of the checkouts is done. */
  killUntil: number;
  /**
   * The Redis deployment: one node (crashed and restarted empty), a Cluster (3 primaries + 3
   * replicas) or a Sentinel set (primary, replica, 3 Sentinels), whose primary holding the queues
   * is SIGKILLed and replaced by its replica.
   */
  redis: RedisDeployment;
  /** The Redis fault happens when this fraction of the checkouts is done… */
  redisOutageAt: number;
  /** …one node: down this long, then restarted empty; Cluster/Sentinel: 0 = no kill. */
  redisDownMs: number;
  /** Share of MongoDB writes (insert/update/findAndModify/delete) that fail while the window is open. */
  mongoFailRatio: number;
  /** The MongoDB fault window, as fractions of the checkouts done. */
  mongoFailFrom: number;
  mongoFailUntil: number;
  /** `error`: the write answers an error; `close`: the server drops the connection. */
  mongoFault: 'error' | 'close';
  /** Every this many ms… */
  throttleEveryMs: number;
  /** …Razorpay answers every API call with 429 for this many ms. */
  throttleMs: number;
  /** Share of single webhook copies the sandbox drops. */
  dropRatio: number;
  /** Share of captured payments whose webhooks are all dropped (only reconciliation finds them). */
  lostWebhooksRatio: number;
  /** Share of checkouts never paid. */
  abandonRatio: number;
  /** Share of checkouts whose payment fails (half of them are then paid with a second attempt). */
  failRatio: number;
  /** Poisoned events posted on purpose (nonexistent order, amount mismatch, wrong account). */
  poison: number;
  /** WEBHOOK_RETRY_TIME_SCALE of the workers. */
  retryTimeScale: number;
  /** Longest wait for the system to become quiet after the traffic. */
  drainTimeoutMs: number;
  /** An external MongoDB (needs enableTestCommands for failCommand); default: the in-repo server. */
  mongoUrl: string | undefined;
  /** Keep the run directory (logs) even when the run passes. */
  keepLogs: boolean;
  /** Append the run's figures to this markdown file's results table. */
  recordTo: string | undefined;
}

/** The Redis deployments a run can use (`--redis`). */
export const REDIS_DEPLOYMENTS = ['single', 'cluster', 'sentinel'] as const;
export type RedisDeployment = (typeof REDIS_DEPLOYMENTS)[number];

/** Defaults of `make chaos`. */
export const FULL_PROFILE: Omit<ChaosOptions, 'seed' | 'mongoUrl' | 'recordTo'> = {
  orders: 10_000,
  // Buyers at once; more than the two workers can follow on a small machine only builds a backlog.
  concurrency: 8,
  killEveryMs: [3_000, 8_000],
  workerDownMs: [200, 2_000],
  // Kills stop before Redis crashes, so no worker restart hides what a Redis restart alone does
  // (a process's start-up re-creates job schedulers that the crash wiped out).
  killUntil: 0.7,
  redis: 'single',
  redisOutageAt: 0.8,
  redisDownMs: 5_000,
  mongoFailRatio: 0.05,
  mongoFailFrom: 0.2,
  mongoFailUntil: 0.6,
  mongoFault: 'error',
  throttleEveryMs: 5_000,
  throttleMs: 500,
  dropRatio: 0.05,
  lostWebhooksRatio: 0.03,
  abandonRatio: 0.03,
  failRatio: 0.03,
  poison: 6,
  // The retry schedule (30 s … 1 h, 97 min in all) must outlast the MongoDB fault window, as the
  // real one outlasts a brownout: 0.05 makes it ~5 min.
  retryTimeScale: 0.05,
  drainTimeoutMs: 1_800_000,
  keepLogs: false,
};

/** The short run of `make test` (tests/chaos/chaos.test.ts): same faults, fewer orders. */
export const SHORT_PROFILE: typeof FULL_PROFILE = {
  ...FULL_PROFILE,
  orders: 500,
  concurrency: 12,
  killEveryMs: [1_500, 3_500],
  workerDownMs: [200, 1_000],
  // A job a killed worker held waits for BullMQ's stall detection (30-90 s): kills stop halfway
  // so that this overlaps the rest of the traffic.
  killUntil: 0.5,
  redisOutageAt: 0.6,
  redisDownMs: 2_000,
  mongoFailFrom: 0.1,
  mongoFailUntil: 0.5,
  throttleEveryMs: 3_000,
  throttleMs: 300,
  poison: 3,
  retryTimeScale: 0.006,
  drainTimeoutMs: 90_000,
};

/** Flag (and environment variable) descriptions for `--help`. */
export const OPTION_HELP = `usage: node tests/chaos/run.ts [flags]   (make chaos)

Every flag can also be given as an environment variable: --kill-every-ms → CHAOS_KILL_EVERY_MS.
Flags win over variables.

  --profile full|short         defaults: full (make chaos) or short (the make test run)   [full]
  --orders N                   checkouts                                                 [10000]
  --concurrency N              buyers at once                                            [8]
  --seed N                     seed of the run's random choices                          [random]
  --kill-every-ms MIN,MAX      SIGKILL a worker every MIN..MAX ms during traffic         [3000,8000]
  --worker-down-ms MIN,MAX     restart it after MIN..MAX ms                               [200,2000]
  --kill-until F               no more kills after this fraction of checkouts            [0.7]
  --redis single|cluster|sentinel
                               one redis-server, a Cluster (3+3) or a Sentinel set       [single]
  --redis-outage-at F          the Redis fault at this fraction of checkouts: one node   [0.8]
                               crashes (restarts empty); Cluster/Sentinel: the primary
                               holding the queues is SIGKILLed, its replica takes over
  --redis-down-ms N            one node: how long Redis stays down; 0 = no Redis fault   [5000]
  --mongo-fail-ratio R         share of MongoDB writes failing in the window             [0.05]
  --mongo-fail-from F          window start, fraction of checkouts                       [0.2]
  --mongo-fail-until F         window end, fraction of checkouts                         [0.6]
  --mongo-fault error|close    failed write answers an error, or drops the connection    [error]
  --throttle-every-ms N        every N ms…                                               [5000]
  --throttle-ms N              …Razorpay answers 429 to every call for N ms              [500]
  --drop-ratio R               share of webhook copies the sandbox drops                 [0.05]
  --lost-webhooks-ratio R      share of captured payments with every webhook dropped     [0.03]
  --abandon-ratio R            share of checkouts never paid                             [0.03]
  --fail-ratio R               share of checkouts whose payment fails                    [0.03]
  --poison N                   poisoned events posted on purpose                         [6]
  --retry-time-scale S         WEBHOOK_RETRY_TIME_SCALE of the workers                   [0.05]
  --drain-timeout-ms N         longest wait for quiet after the traffic                  [1800000]
  --mongo-url URL              external MongoDB (MONGO_URL; needs enableTestCommands)    [in-repo server]
  --keep-logs                  keep the run directory even when the run passes
  --record FILE                append the figures to FILE's results table (docs/reliability.md)
  -h, --help`;

const FLAGS = {
  profile: { type: 'string' },
  orders: { type: 'string' },
  concurrency: { type: 'string' },
  seed: { type: 'string' },
  'kill-every-ms': { type: 'string' },
  'worker-down-ms': { type: 'string' },
  'kill-until': { type: 'string' },
  redis: { type: 'string' },
  'redis-outage-at': { type: 'string' },
  'redis-down-ms': { type: 'string' },
  'mongo-fail-ratio': { type: 'string' },
  'mongo-fail-from': { type: 'string' },
  'mongo-fail-until': { type: 'string' },
  'mongo-fault': { type: 'string' },
  'throttle-every-ms': { type: 'string' },
  'throttle-ms': { type: 'string' },
  'drop-ratio': { type: 'string' },
  'lost-webhooks-ratio': { type: 'string' },
  'abandon-ratio': { type: 'string' },
  'fail-ratio': { type: 'string' },
  poison: { type: 'string' },
  'retry-time-scale': { type: 'string' },
  'drain-timeout-ms': { type: 'string' },
  'mongo-url': { type: 'string' },
  'keep-logs': { type: 'boolean' },
  record: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type FlagName = keyof typeof FLAGS;

/** Thrown for a bad flag or variable; the message names it. */
export class OptionError extends Error {}

/**
 * Options from argv and the environment (flag > CHAOS_* variable > profile default);
 * `help: true` when usage was asked for.
 */
export function parseChaosOptions(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { help: boolean; options: ChaosOptions } {
  let values: Partial<Record<FlagName, string | boolean>>;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new OptionError(err instanceof Error ? err.message : String(err));
  }
  const raw = (name: FlagName): string | undefined => {
    const v = values[name];
    if (typeof v === 'string') return v;
    const fromEnv = env[`CHAOS_${name.toUpperCase().replaceAll('-', '_')}`];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const flag = (name: FlagName): boolean => {
    if (values[name] === true) return true;
    const v = raw(name);
    return v !== undefined && ['1', 'true', 'yes'].includes(v.toLowerCase());
  };

  const profileName = raw('profile') ?? 'full';
  if (profileName !== 'full' && profileName !== 'short') {
    throw new OptionError(`--profile must be full or short (got '${profileName}')`);
  }
  const p = profileName === 'full' ? FULL_PROFILE : SHORT_PROFILE;

  const int = (name: FlagName, def: number, min = 0): number => {
    const v = raw(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      throw new OptionError(`--${name} must be an integer ≥ ${min} (got '${v}')`);
    }
    return n;
  };
  const ratio = (name: FlagName, def: number): number => {
    const v = raw(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) {
      throw new OptionError(`--${name} must be a number in [0, 1] (got '${v}')`);
    }
    return n;
  };
  const range = (name: FlagName, def: [number, number]): [number, number] => {
    const v = raw(name);
    if (v === undefined) return def;
    const parts = v.split(',').map((s) => Number(s.trim()));
    const [lo, hi = lo] = parts;
    if (
      parts.length > 2 ||
      lo === undefined ||
      hi === undefined ||
      !Number.isInteger(lo) ||
      !Number.isInteger(hi) ||
      lo < 0 ||
      hi < lo
    ) {
      throw new OptionError(`--${name} must be MIN,MAX in ms with 0 ≤ MIN ≤ MAX (got '${v}')`);
    }
    return [lo, hi];
  };

  const mongoFault = raw('mongo-fault') ?? p.mongoFault;
  if (mongoFault !== 'error' && mongoFault !== 'close') {
    throw new OptionError(`--mongo-fault must be error or close (got '${mongoFault}')`);
  }
  const redis = raw('redis') ?? p.redis;
  if (!(REDIS_DEPLOYMENTS as readonly string[]).includes(redis)) {
    throw new OptionError(`--redis must be ${REDIS_DEPLOYMENTS.join(', ')} (got '${redis}')`);
  }
  const scaleRaw = raw('retry-time-scale');
  const retryTimeScale = scaleRaw === undefined ? p.retryTimeScale : Number(scaleRaw);
  if (!Number.isFinite(retryTimeScale) || retryTimeScale <= 0) {
    throw new OptionError(`--retry-time-scale must be a positive number (got '${scaleRaw}')`);
  }

  const options: ChaosOptions = {
    orders: int('orders', p.orders, 1),
    concurrency: int('concurrency', p.concurrency, 1),
    seed: int('seed', randomInt(2 ** 31)),
    killEveryMs: range('kill-every-ms', p.killEveryMs),
    workerDownMs: range('worker-down-ms', p.workerDownMs),
    killUntil: ratio('kill-until', p.killUntil),
    redis: redis as RedisDeployment,
    redisOutageAt: ratio('redis-outage-at', p.redisOutageAt),
    redisDownMs: int('redis-down-ms', p.redisDownMs),
    mongoFailRatio: ratio('mongo-fail-ratio', p.mongoFailRatio),
    mongoFailFrom: ratio('mongo-fail-from', p.mongoFailFrom),
    mongoFailUntil: ratio('mongo-fail-until', p.mongoFailUntil),
    mongoFault,
    throttleEveryMs: int('throttle-every-ms', p.throttleEveryMs),
    throttleMs: int('throttle-ms', p.throttleMs),
    dropRatio: ratio('drop-ratio', p.dropRatio),
    lostWebhooksRatio: ratio('lost-webhooks-ratio', p.lostWebhooksRatio),
    abandonRatio: ratio('abandon-ratio', p.abandonRatio),
    failRatio: ratio('fail-ratio', p.failRatio),
    poison: int('poison', p.poison),
    retryTimeScale,
    drainTimeoutMs: int('drain-timeout-ms', p.drainTimeoutMs, 1),
    mongoUrl: raw('mongo-url') ?? env.MONGO_URL ?? undefined,
    keepLogs: flag('keep-logs') || p.keepLogs,
    recordTo: raw('record'),
  };
  if (options.mongoFailUntil < options.mongoFailFrom) {
    throw new OptionError('--mongo-fail-until must not be before --mongo-fail-from');
  }
  if (options.abandonRatio + options.failRatio > 1) {
    throw new OptionError('--abandon-ratio + --fail-ratio must not exceed 1');
  }
  return { help: flag('help'), options };
}
