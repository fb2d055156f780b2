import type { LoadTestResult } from './load-test-result.ts';
import { insertTableRow, markdownRow } from './markdown-table.ts';
import type { LoopFigures } from './loop-monitor.ts';

// `run.ts --find-capacity`: the largest number of buyers (arriving over the scenario's stages,
// e.g. the drop's 10 s) that this machine serves within every threshold. A creator's team reads
// it before announcing a drop; a change that makes the system cheaper shows as a larger figure,
// which is steadier from run to run than one saturated run's p99.

/**
 * Thresholds that a larger load can break on a sound system (time): failing only these means
 * "over capacity". Any other failed threshold — a lost or doubled payment, a 5xx, a stale read,
 * a failed check — is a fault at any load, and stops the search.
 */
export const LOAD_BOUND_THRESHOLDS: ReadonlySet<string> = new Set([
  'p95 latency (ms)',
  'p99 latency (ms)',
  'checkout p99 (ms)',
  'capture → download available p99 (ms)',
]);

export type Verdict = 'within' | 'over';

/** Within (every threshold met), over (only time thresholds missed), or the faults found. */
export function verdictOf(
  r: Pick<LoadTestResult, 'passed' | 'failures'>,
): Verdict | { faults: string[] } {
  if (r.passed) return 'within';
  const faults = r.failures.filter((f) => !LOAD_BOUND_THRESHOLDS.has(f));
  return faults.length === 0 ? 'over' : { faults };
}

/**
 * A size's verdict from up to `times` runs: within only if every run is; the first run over
 * decides (the rest are not run). A steadier figure on a machine whose speed varies, for
 * `times` the time.
 */
export async function repeatedVerdict(
  times: number,
  runOnce: () => Promise<Verdict>,
): Promise<Verdict> {
  for (let i = 0; i < times; i++) if ((await runOnce()) === 'over') return 'over';
  return 'within';
}

export interface SearchOptions {
  /** First size tried. */
  from: number;
  /** Sizes below `min` are not tried: the capacity is then reported as below it. */
  min: number;
  /** The largest size tried (the scenario's own). */
  max: number;
  /** The search stops once the largest size within and the smallest over are this close. */
  resolution: number;
}

export interface SearchOutcome {
  /** Largest size found within the thresholds (null: not even `min`). */
  capacity: number | null;
  /** Smallest size found over them (null: even `max` was within). */
  over: number | null;
  /** Sizes in the order they were tried. */
  tried: Array<{ size: number; verdict: Verdict }>;
}

/**
 * Doubles from `from` while within (up to `max`), halves while over (down to `min`), then
 * bisects between the largest size within and the smallest over until they are `resolution`
 * apart. Sizes between are rounded to a multiple of `resolution / 2` when one fits. The probe
 * throws to stop the search (a fault). Assumes more buyers never make it easier; a machine whose
 * speed varies breaks that, which the `tried` list shows.
 */
export async function searchCapacity(
  probe: (size: number) => Promise<Verdict>,
  opts: SearchOptions,
): Promise<SearchOutcome> {
  const { min, max, resolution } = opts;
  if (!(min >= 1 && min <= max && resolution >= 1)) {
    throw new Error(`bad search bounds: min ${min}, max ${max}, resolution ${resolution}`);
  }
  const tried: SearchOutcome['tried'] = [];
  let within: number | null = null;
  let over: number | null = null;
  let size = Math.min(max, Math.max(min, Math.round(opts.from)));
  for (;;) {
    const verdict = await probe(size);
    tried.push({ size, verdict });
    if (verdict === 'within') within = size;
    else over = size;
    const next = nextSize(within, over, opts);
    if (next === undefined) return { capacity: within, over, tried };
    size = next;
  }
}

function nextSize(
  within: number | null,
  over: number | null,
  { min, max, resolution }: SearchOptions,
): number | undefined {
  if (over === null)
    return within === null || within >= max ? undefined : Math.min(max, within * 2);
  if (within === null) return over <= min ? undefined : Math.max(min, Math.floor(over / 2));
  if (over - within <= resolution) return undefined;
  const mid = (within + over) / 2;
  const step = Math.max(1, Math.floor(resolution / 2));
  const rounded = Math.round(mid / step) * step;
  return rounded > within && rounded < over ? rounded : Math.round(mid);
}

/** One probe as recorded: the size, the verdict and the figures that decided it. */
export interface ProbeRecord {
  buyers: number;
  verdict: Verdict | 'fault';
  failures: string[];
  storefrontP99Ms: number;
  checkoutP99Ms: number | null;
  captureToDownloadP99Ms: number | null;
  /** The API's event loop while the buyers ran (absent in results of older runs). */
  apiLoop?: LoopFigures;
  loadAverageStart: number;
  resultsFile: string;
}

export function probeRecord(buyers: number, r: LoadTestResult): ProbeRecord {
  const v = verdictOf(r);
  return {
    buyers,
    verdict: typeof v === 'string' ? v : 'fault',
    failures: r.failures,
    storefrontP99Ms: round(r.client.latencyMs.p99),
    checkoutP99Ms: r.drop?.checkout.p99 ?? null,
    captureToDownloadP99Ms: r.drop?.captureToDownloadMs.p99 ?? null,
    ...(r.eventLoop ? { apiLoop: r.eventLoop.api } : {}),
    loadAverageStart: r.machine.loadAverageStart,
    resultsFile: r.resultsFile,
  };
}

/** What `--find-capacity` writes to its results file and prints. */
export interface CapacityResult {
  scenario: string;
  commit: string;
  startedAt: string;
  machine: string;
  search: SearchOptions;
  /** Runs per size (a size is within only if all are). */
  repeat: number;
  capacity: number | null;
  over: number | null;
  /** Set when a probe failed a threshold that is not about time: the search stopped there. */
  faults: string[] | null;
  probes: ProbeRecord[];
}

const ms = (v: number | null) => (v === null ? 'n/a' : String(Math.round(v)));
/** `100 %, 8 of 17`: the API loop's busiest second and its seconds at or above 90 %. */
const loop = (f: LoopFigures | undefined) =>
  f === undefined || f.max === null
    ? 'n/a'
    : `${Math.round(f.max * 100)} %, ${f.saturated} of ${f.samples}`;

/** The probes as lines for the terminal. */
export function capacityReport(c: CapacityResult): string[] {
  const verdict =
    c.faults !== null
      ? `stopped: a fault at ${c.probes.at(-1)?.buyers} buyers (${c.faults.join(', ')})`
      : c.capacity === null
        ? `below ${c.search.min} buyers (the smallest size tried was over)`
        : c.over === null
          ? `at least ${c.capacity} buyers (the largest size tried is within)`
          : `${c.capacity} buyers (over at ${c.over})`;
  return [
    `capacity of "${c.scenario}" on this machine: ${verdict}${c.repeat > 1 ? ` (each size run up to ${c.repeat} times; within only if every run was)` : ''}`,
    'buyers  verdict  storefront p99 ms  checkout p99 ms  capture → download p99 ms  API loop max, s ≥ 90 %  load avg at start',
    ...c.probes.map(
      (p) =>
        `${String(p.buyers).padStart(6)}  ${p.verdict.padEnd(7)}  ${ms(p.storefrontP99Ms).padStart(17)}  ${ms(p.checkoutP99Ms).padStart(15)}  ${ms(p.captureToDownloadP99Ms).padStart(25)}  ${loop(p.apiLoop).padStart(22)}  ${p.loadAverageStart}`,
    ),
  ];
}

export const CAPACITY_END_MARKER =
  '<!-- capacity rows end: tests/load/run.ts --find-capacity inserts new rows above this line -->';

export const CAPACITY_HEADER = [
  '| Date (UTC) | Commit | Machine | Scenario | Capacity (buyers) | Over at | Probes: buyers verdict (storefront p99 / checkout p99 / capture → download p99 ms; load avg) |',
  '|---|---|---|---|---|---|---|',
].join('\n');

export function capacityRow(c: CapacityResult): string {
  return markdownRow([
    c.startedAt.slice(0, 16).replace('T', ' '),
    c.commit,
    c.machine,
    c.scenario,
    c.faults !== null
      ? `fault: ${c.faults.join(', ')}`
      : c.capacity === null
        ? `< ${c.search.min}`
        : c.over === null
          ? `≥ ${c.capacity}`
          : String(c.capacity),
    c.over === null ? 'n/a' : String(c.over),
    c.probes
      .map(
        (p) =>
          `${p.buyers} ${p.verdict} (${ms(p.storefrontP99Ms)} / ${ms(p.checkoutP99Ms)} / ${ms(p.captureToDownloadP99Ms)}; ${p.loadAverageStart})`,
      )
      .join('; '),
  ]);
}

export function appendCapacityRow(docPath: string, c: CapacityResult): void {
  insertTableRow(docPath, capacityRow(c), {
    endMarker: CAPACITY_END_MARKER,
    section: `## Capacity\n\n${CAPACITY_HEADER}`,
    emptyDoc: '# Load testing\n',
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
