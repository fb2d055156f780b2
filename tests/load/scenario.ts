import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseDurationSeconds } from './traffic-mix.js';

// The one description of the load scenario (tests/load/scenario.json), read by the orchestrator,
// the Node runner and (via open()) the k6 script. Overrides (the shortened test) are deep-merged.

const duration = z.string().refine((s) => {
  try {
    parseDurationSeconds(s);
    return true;
  } catch {
    return false;
  }
}, 'a duration like "30s", "2m" or "1m30s"');

const powerOfTwo = z
  .number()
  .int()
  .positive()
  .refine((n) => (n & (n - 1)) === 0 && n <= 2 ** 24, 'a power of two up to 2^24');

const share = z.number().min(0).max(1);

/**
 * The drop scenario's extra section (tests/load/scenarios/drop.json): each VU is one buyer who
 * arrives once (stages ramp the arrivals), reads the storefront JSON and page, and a share of
 * them buy; the creator edits the dropped product meanwhile. See docs/load-testing.md.
 */
export const dropSchema = z.object({
  /** The storefront page read after the JSON (`{username}` replaced). */
  pagePathTemplate: z.string().includes('{username}'),
  /** Buyers who start a checkout. */
  checkoutShare: share,
  /** Of those: who never pays, and who has a failed attempt (half of them retry and pay). */
  abandonShare: share,
  failShare: share,
  /** Copies of each webhook event the sandbox sends for a Checkout payment, in random order. */
  webhookCopies: z.number().int().min(1).max(10),
  /** Latency added to the sandbox's order creation (Razorpay's API is not on loopback). */
  sandboxLatencyMs: z.number().min(0),
  /**
   * How a buyer who paid reads their order until the download appears, as the order page does:
   * each read asks the API to hold it up to `pollWaitSeconds` for the download (`?wait=`; 0: no
   * waiting) and a held read is followed by the next at once; otherwise at once, then after
   * `pollIntervalMs`, each pause `pollBackoff` times the last, at most `pollMaxIntervalMs`; for
   * at most `pollTimeoutSeconds`.
   */
  pollWaitSeconds: z.number().int().min(0).max(25).default(0),
  pollIntervalMs: z.number().int().positive(),
  pollBackoff: z.number().min(1).max(10),
  pollMaxIntervalMs: z.number().int().positive(),
  pollTimeoutSeconds: z.number().positive(),
  /** The creator edits the dropped product this often while buyers arrive. */
  editEverySeconds: z.number().positive(),
  /** The dropped product's title; each edit appends ` (rev N)`. */
  productTitle: z.string().min(1).max(100),
  productPrice: z.number().int().min(100),
  /** Webhooks the API takes per minute from one address (the sandbox is one client, as Razorpay's few IPs are). */
  webhookRateLimitPerMin: z.number().int().positive(),
  thresholds: z.object({
    checkoutP99Ms: z.number().positive(),
    captureToDownloadP99Ms: z.number().positive(),
    maxStaleReads: z.number().int().min(0),
    maxLost: z.number().int().min(0),
    maxAppliedTwice: z.number().int().min(0),
    maxDoubleDeliveries: z.number().int().min(0),
  }),
  /** Filled in by the orchestrator: the dropped product and the creator's credentials. */
  productId: z.string().optional(),
  creator: z.object({ email: z.string(), password: z.string() }).optional(),
});

export type DropSettings = z.infer<typeof dropSchema>;

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    request: z.object({
      method: z.literal('GET'),
      pathTemplate: z.string().includes('{username}'),
      expectStatus: z.number().int(),
    }),
    stages: z.array(z.object({ duration, target: z.number().int().min(0) })).min(1),
    gracefulRampDownSeconds: z.number().min(0),
    thinkTimeSeconds: z.object({ min: z.number().min(0), max: z.number().min(0) }),
    mix: z.object({
      hotUsername: z.string().min(1),
      hotShare: z.number().min(0).max(1),
      zipfExponent: z.number().min(0),
    }),
    clients: z.object({
      xffBase: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/),
      xffPoolSize: powerOfTwo,
      note: z.string().optional(),
    }),
    seed: z.object({
      creators: z.number().int().min(0),
      productsPerCreator: z.number().int().min(0),
    }),
    thresholds: z.object({
      p95Ms: z.number().positive(),
      p99Ms: z.number().positive(),
      max5xx: z.number().int().min(0),
      minCheckRate: z.number().min(0).max(1),
      hitRatioAbove: z.number().min(0).max(1),
    }),
    goals: z.object({
      p95Ms: z.number().positive(),
      p99Ms: z.number().positive(),
      minHitRatio: z.number().min(0).max(1),
    }),
    lateStartMs: z.number().positive(),
    /**
     * API processes per core (at least one process): 1 runs the API on every core, 0.5 on half
     * of them, leaving the rest to the worker, MongoDB, Redis and the stand-ins that share the
     * machine in a load test (docs/load-testing.md, "How many API processes").
     */
    apiProcessesPerCore: z.number().positive().max(1).default(1),
    /** Present in the drop scenario: buyers arrive once, buy, and the creator edits. */
    drop: dropSchema.optional(),
    /** Filled in by the orchestrator: the seeded usernames (hot one included). */
    usernames: z.array(z.string()).optional(),
  })
  .refine((s) => s.thinkTimeSeconds.max >= s.thinkTimeSeconds.min, {
    message: 'thinkTimeSeconds.max must be >= min',
  })
  .refine((s) => maxVus(s) <= s.clients.xffPoolSize, {
    message: 'clients.xffPoolSize must be at least the largest stage target (one address per VU)',
  });

export type Scenario = z.infer<typeof scenarioSchema>;

/** A partial scenario whose fields replace those of the base (objects merge, arrays replace). */
export type ScenarioOverride = DeepPartial<Scenario>;
type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Path of the checked-in scenario file. */
export const SCENARIO_FILE = fileURLToPath(new URL('./scenario.json', import.meta.url));

/** Path of a named scenario: `default` is scenario.json, others are scenarios/<name>.json. */
export function scenarioFileOf(name: string): string {
  if (name === 'default') return SCENARIO_FILE;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad scenario name: ${name}`);
  return fileURLToPath(new URL(`./scenarios/${name}.json`, import.meta.url));
}

/** Reads and validates a scenario file, applying `override` on top. */
export function loadScenario(file = SCENARIO_FILE, override: ScenarioOverride = {}): Scenario {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  return parseScenario(deepMerge(raw, override));
}

/** Validates a scenario object, naming every problem. */
export function parseScenario(raw: unknown): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new Error(`invalid load scenario:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed.data;
}

/** API processes for `cores` cores at `perCore` per core: rounded, at least one. */
export function apiProcessesFor(cores: number, perCore: number): number {
  return Math.max(1, Math.round(cores * perCore));
}

/** The API processes a run of `s` starts on this machine when not told a count. */
export function defaultApiProcesses(s: Pick<Scenario, 'apiProcessesPerCore'>): number {
  return apiProcessesFor(availableParallelism(), s.apiProcessesPerCore);
}

/** The largest number of VUs any stage ramps to. */
export function maxVus(s: { stages: ReadonlyArray<{ target: number }> }): number {
  return Math.max(0, ...s.stages.map((st) => st.target));
}

/** Seconds from start to the end of the last stage (without graceful ramp-down). */
export function totalStageSeconds(s: { stages: ReadonlyArray<{ duration: string }> }): number {
  return s.stages.reduce((acc, st) => acc + parseDurationSeconds(st.duration), 0);
}

/** The VU target at `t` seconds: linear ramps between stage targets, starting from 0 (as k6). */
export function targetVusAt(
  s: { stages: ReadonlyArray<{ duration: string; target: number }> },
  t: number,
): number {
  let from = 0;
  let start = 0;
  for (const st of s.stages) {
    const d = parseDurationSeconds(st.duration);
    if (t < start + d) return Math.round(from + ((st.target - from) * (t - start)) / d);
    start += d;
    from = st.target;
  }
  return from;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
