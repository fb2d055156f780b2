import { writeFileSync } from 'node:fs';
import { evaluateClientThresholds, statusClass, SUMMARY_FORMAT } from './load-summary.js';
import type { LatencyMs, LoadSummary } from './load-summary.js';
import { maxVus, type Scenario } from './scenario.ts';

// What both Node generators (runner.ts: browse; drop-runner.ts: the drop) count per answer and
// how they turn it into the common summary format, so the two cannot drift apart.

/** Counts answers by status class, 5xx, 429, network errors and checks. */
export class RequestTally {
  total = 0;
  readonly byStatus: Record<string, number> = {};
  status5xx = 0;
  status429 = 0;
  networkErrors = 0;
  checksPassed = 0;
  checksFailed = 0;
  firstError: string | undefined;

  /** One answer (`status` 0: none) and whether its check passed. */
  record(status: number, ok: boolean): void {
    this.total++;
    const cls = statusClass(status);
    this.byStatus[cls] = (this.byStatus[cls] ?? 0) + 1;
    if (status >= 500) this.status5xx++;
    if (status === 429) this.status429++;
    if (ok) this.checksPassed++;
    else this.checksFailed++;
  }

  /** A request that got no answer (its `record(0, false)` is separate). */
  networkError(err: unknown): void {
    this.networkErrors++;
    this.firstError ??= err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}

/** Keep-alive connections of a run: open now, most open at once, opened in all. */
export class ConnectionCount {
  open = 0;
  maxOpen = 0;
  opened = 0;
  readonly onOpen = (): void => {
    this.opened++;
    if (++this.open > this.maxOpen) this.maxOpen = this.open;
  };
  readonly onClose = (): void => {
    this.open--;
  };
}

/** The common summary of a Node generator's run, client thresholds evaluated. */
export function nodeRunnerSummary(o: {
  scenario: Scenario;
  baseUrl: string;
  toolVersion: string;
  startedAt: Date;
  durationSeconds: number;
  vusMax: number;
  connections: ConnectionCount;
  latencyMs: LatencyMs;
  tally: RequestTally;
  coordinatedOmission: LoadSummary['coordinatedOmission'];
  loadGenerator: LoadSummary['loadGenerator'];
  aborted: boolean;
}): LoadSummary {
  const t = o.tally;
  const checks = t.checksPassed + t.checksFailed;
  const core = {
    latencyMs: o.latencyMs,
    requests: {
      total: t.total,
      perSecond: round(t.total / o.durationSeconds),
      byStatus: t.byStatus,
      status5xx: t.status5xx,
      status429: t.status429,
      networkErrors: t.networkErrors,
    },
    checks: {
      passed: t.checksPassed,
      failed: t.checksFailed,
      rate: checks > 0 ? t.checksPassed / checks : 0,
    },
  };
  const { thresholds, goals } = evaluateClientThresholds(core, o.scenario);
  return {
    format: SUMMARY_FORMAT,
    tool: 'node-runner',
    toolVersion: o.toolVersion,
    scenario: o.scenario.name,
    baseUrl: o.baseUrl,
    startedAt: o.startedAt.toISOString(),
    durationSeconds: round(o.durationSeconds),
    vus: { peakTarget: maxVus(o.scenario), max: o.vusMax },
    connections: { maxOpen: o.connections.maxOpen, opened: o.connections.opened },
    ...core,
    coordinatedOmission: o.coordinatedOmission,
    loadGenerator: { ...o.loadGenerator, firstNetworkError: t.firstError ?? null },
    thresholds,
    goals,
    passed: thresholds.every((x) => x.ok) && !o.aborted,
  };
}

/** Rounded to 2 decimals. */
export function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * A generator's command line: runs `run` (aborted on SIGINT/SIGTERM), writes the summary to
 * `out` (or stdout), exits 0 when it passed, 1 when a threshold failed, 2 when it could not run.
 */
export async function runGeneratorCli(
  name: string,
  out: string | undefined,
  run: (signal: AbortSignal) => Promise<LoadSummary>,
): Promise<never> {
  const abort = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => abort.abort());
  try {
    const summary = await run(abort.signal);
    const json = `${JSON.stringify(summary, null, 2)}\n`;
    if (out) writeFileSync(out, json);
    else process.stdout.write(json);
    process.exit(summary.passed ? 0 : 1);
  } catch (err) {
    process.stderr.write(`${name} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  }
}
