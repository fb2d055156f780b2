import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE_DOC, machineCell } from './baseline-table.ts';
import {
  appendCapacityRow,
  probeRecord,
  repeatedVerdict,
  searchCapacity,
  verdictOf,
  type CapacityResult,
  type ProbeRecord,
  type SearchOptions,
} from './capacity.ts';
import { runLoadTest, type LoadTestOptions } from './orchestrator.ts';
import { waitForQuietCpu } from './quiet-cpu.ts';
import { loadScenario, maxVus } from './scenario.ts';

const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export interface CapacityRunOptions extends Omit<LoadTestOptions, 'scenarioOverride'> {
  /** First size tried, smallest and resolution; the largest is the scenario's (or `max`). */
  from?: number;
  min?: number;
  max?: number;
  resolution?: number;
  /** Runs per size: within only if every one is (default 1). */
  repeat?: number;
  /** Each run first waits for a quiet CPU (`waitForQuietCpu`), at most this long (default 3 min). */
  quietWaitMs?: number;
}

class Fault extends Error {}

/**
 * Runs the scenario at sizes chosen by `searchCapacity`, each a whole load test of its own (fresh
 * stack, same stages scaled to the size, every threshold judged), with the machine quiet before
 * each. Records the search in `capacity-<time>.json` and, unless `baselineDoc` is false, a row in
 * docs/load-testing.md's capacity table.
 */
export async function runCapacitySearch(opts: CapacityRunOptions): Promise<CapacityResult> {
  const out = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const scenario = loadScenario(opts.scenarioFile);
  const max = Math.min(opts.max ?? Infinity, maxVus(scenario));
  const search: SearchOptions = {
    from: Math.min(max, opts.from ?? 1000),
    min: Math.min(max, opts.min ?? 250),
    max,
    resolution: opts.resolution ?? 250,
  };
  const startedAt = new Date();
  const probes: ProbeRecord[] = [];
  let faults: string[] | null = null;
  let commit = 'unknown';
  let machine = 'unknown';

  const repeat = Math.max(1, Math.floor(opts.repeat ?? 1));
  const runOnce = async (size: number) => {
    // The previous run's processes must be gone: the CPU quiet for two seconds in a row.
    const quiet = await waitForQuietCpu({
      maxWaitMs: opts.quietWaitMs ?? 180_000,
      signal: opts.signal,
    });
    if (opts.signal?.aborted) throw new Error('capacity search interrupted');
    out(
      `capacity: ${size} buyers (CPU ${Math.round(quiet.share * 100)} % busy, load average ` +
        `${loadavg()[0]?.toFixed(2)}${quiet.quiet ? '' : ', not quiet after waiting'})`,
    );
    const r = await runLoadTest({
      ...opts,
      scenarioOverride: {
        stages: scenario.stages.map((s) => ({ ...s, target: Math.min(s.target, size) })),
      },
      baselineDoc: false,
      note: `capacity probe${opts.note ? `; ${opts.note}` : ''}`,
      log: () => undefined,
    });
    commit = r.commit;
    machine = machineCell(r.machine);
    const record = probeRecord(size, r);
    probes.push(record);
    out(
      `capacity: ${size} buyers ${record.verdict}${record.failures.length ? ` (${record.failures.join(', ')})` : ''}`,
    );
    const v = verdictOf(r);
    if (typeof v !== 'string') {
      faults = v.faults;
      throw new Fault(v.faults.join(', '));
    }
    return v;
  };
  const probe = (size: number) => repeatedVerdict(repeat, () => runOnce(size));

  let capacity: number | null;
  let over: number | null;
  try {
    ({ capacity, over } = await searchCapacity(probe, search));
  } catch (err) {
    if (!(err instanceof Fault)) throw err;
    // The sizes judged before the fault still say something; the verdict says why it stopped.
    capacity = maxOf(probes, 'within');
    over = minOf(probes, 'over');
  }
  const result: CapacityResult = {
    scenario: scenario.name,
    commit,
    startedAt: startedAt.toISOString(),
    machine,
    search,
    repeat,
    capacity,
    over,
    faults,
    probes,
  };
  const dir = opts.resultsDir ?? DEFAULT_RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `capacity-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  if (opts.baselineDoc !== false) appendCapacityRow(opts.baselineDoc ?? BASELINE_DOC, result);
  return result;
}

function maxOf(probes: ProbeRecord[], verdict: 'within'): number | null {
  const sizes = probes.filter((p) => p.verdict === verdict).map((p) => p.buyers);
  return sizes.length ? Math.max(...sizes) : null;
}

function minOf(probes: ProbeRecord[], verdict: 'over'): number | null {
  const sizes = probes.filter((p) => p.verdict === verdict).map((p) => p.buyers);
  return sizes.length ? Math.min(...sizes) : null;
}
