// `make lighthouse` → node scripts/lighthouse.ts [--url URL (or LIGHTHOUSE_URL)] [--runs N] [--label TEXT]
//   [--ignore-certificate-errors] [--fixture [--plain-http]] [--report-dir DIR] [--no-record]
//   [--smoke [--attempts N]] [--settle SECONDS]
// Runs Lighthouse (default mobile settings) N times, prints every run and the medians, fails when
// the medians break LIGHTHOUSE_THRESHOLDS, and appends a row to docs/performance.md. Run it alone:
// the CPU part of Lighthouse's simulation scales with this machine's load.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  describeBound,
  formatMetric,
  judge,
  LIGHTHOUSE_GOALS,
  LIGHTHOUSE_THRESHOLDS,
  SMOKE_THRESHOLDS,
  medianMetrics,
  type Verdict,
} from '../tests/lighthouse/lighthouse-budget.ts';
import {
  LighthouseRunError,
  runLighthouse,
  type LighthouseMetrics,
  type LighthouseRun,
} from '../tests/lighthouse/lighthouse-runner.ts';
import {
  appendLighthouseRow,
  PERFORMANCE_DOC,
  verdictText,
} from '../tests/lighthouse/lighthouse-table.ts';
import { startDemoTarget } from '../tests/lighthouse/demo-target.ts';
import { waitForQuietCpu } from '../tests/load/quiet-cpu.ts';
import { startFixtureTarget, type LighthouseTarget } from '../tests/lighthouse/fixture-target.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    runs: { type: 'string', default: '3' },
    label: { type: 'string' },
    'ignore-certificate-errors': { type: 'boolean' },
    fixture: { type: 'boolean', default: false },
    'plain-http': { type: 'boolean', default: false },
    'report-dir': { type: 'string' },
    'no-record': { type: 'boolean', default: false },
    /** `make test`: require only the load figures (SMOKE_THRESHOLDS); the rest is printed. */
    smoke: { type: 'boolean', default: false },
    /**
     * With --smoke: measure again (up to N measurements in all) while the thresholds fail, or
     * while Chromium fails to record the trace (LighthouseRunError.retryable). Load on the
     * machine only ever adds time to Lighthouse's CPU figures, so one passing measurement shows
     * the page can meet them; a real regression fails every attempt.
     */
    attempts: { type: 'string', default: '3' },
    /**
     * Before each measurement, wait up to SECONDS for the machine to be quiet: at most a quarter
     * of its CPU time busy over two seconds in a row (`make test` runs Lighthouse straight after
     * the heavy suites).
     */
    settle: { type: 'string', default: '0' },
  },
});

/**
 * What Lighthouse measures when no URL is given: the demo storefront page as `make dev` serves it
 * over HTTPS (tests/lighthouse/demo-target.ts), or with `--fixture` the bare 1.6 KB fixture page
 * that calibrates the method (over HTTPS, or plain HTTP with `--plain-http`).
 */
async function startTarget(): Promise<LighthouseTarget> {
  if (values.fixture) return startFixtureTarget({ https: !values['plain-http'] });
  return startDemoTarget();
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const runs = positiveInteger('runs', values.runs);
const attempts = values.smoke ? positiveInteger('attempts', values.attempts) : 1;
const settleSeconds = Number(values.settle);
if (!Number.isFinite(settleSeconds) || settleSeconds < 0) {
  process.stderr.write('--settle must be a number of seconds ≥ 0\n');
  process.exit(2);
}

const abort = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    process.stderr.write('\nstopping Chromium and the target…\n');
    abort.abort();
  });
}

const cores = availableParallelism();
/** A 1-min load average at or below this counts as a quiet machine. */
const quietLoad = cores / 2;
/** Before a measurement, a share of the machine's CPU time busy at or below this counts as quiet. */
const QUIET_CPU_SHARE = 0.25;
const loadStart = loadavg();
out(
  `Lighthouse, default mobile settings (simulated: 150 ms RTT, 1.6 Mbps down, 4x CPU slowdown), ` +
    `${runs} run(s); load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} on ${cores} cores`,
);
if ((loadStart[0] ?? 0) > quietLoad) {
  out(
    `warning: the machine is busy (1-min load average ${loadStart[0]?.toFixed(2)}); ` +
      'figures taken now are not comparable with quiet runs',
  );
}

let exitCode: number;
let target: LighthouseTarget | undefined;
try {
  const url = values.url ?? process.env.LIGHTHOUSE_URL;
  target = url ? externalTarget(url) : await startTarget();
  const label = values.label ?? target.label;
  out(`target: ${label} (${target.url})`);
  const reportDir = values['report-dir'] ? resolve(values['report-dir']) : undefined;
  if (reportDir) mkdirSync(reportDir, { recursive: true });

  let results: LighthouseRun[] = [];
  let median: LighthouseMetrics | undefined;
  let thresholds: Verdict[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await settle();
    results = [];
    try {
      for (let i = 1; i <= runs; i++) {
        const run = await runLighthouse(target.url, {
          ignoreCertificateErrors: target.ignoreCertificateErrors,
          signal: abort.signal,
          ...(reportDir ? { htmlReportPath: join(reportDir, `lighthouse-${i}.html`) } : {}),
        });
        results.push(run);
        out(`run ${i}/${runs}: ${figures(run)}; benchmarkIndex ${Math.round(run.benchmarkIndex)}`);
        for (const w of run.warnings) out(`  warning: ${w}`);
      }
    } catch (err) {
      // A trace Chromium failed to record says nothing about the page: it uses up an attempt, as
      // a missed threshold does. Anything else (the page, a certificate) fails at once.
      if (!(err instanceof LighthouseRunError && err.retryable) || attempt === attempts) throw err;
      out(`attempt ${attempt}/${attempts}: ${err.message}: measuring again`);
      continue;
    }
    median = medianMetrics(results);
    thresholds = judge(median, values.smoke ? SMOKE_THRESHOLDS : LIGHTHOUSE_THRESHOLDS);
    const failed = thresholds.filter((v) => !v.ok);
    if (failed.length === 0 || attempt === attempts) break;
    out(
      `attempt ${attempt}/${attempts} missed ${failed.map((v) => describeBound(v.bound)).join(', ')} ` +
        `at load average ${loadavg()[0]?.toFixed(2)}: measuring again (load only adds time)`,
    );
  }
  if (!median) throw new Error('no Lighthouse run completed');
  const loadEnd = loadavg()[0] ?? 0;
  const goals = judge(median, LIGHTHOUSE_GOALS);
  const first = results[0] as LighthouseRun;
  const browserVersion = first.browserVersion;

  out(`median:  ${figures(median)}`);
  out(`LCP element: ${first.lcpElement ?? 'unknown (see the errored audits below)'}`);
  if (first.erroredAudits.length > 0) {
    out(`audits that errored (diagnostics only; every metric was computed):`);
    for (const a of first.erroredAudits) out(`  ${a.slice(0, 200)}`);
  }
  out('thresholds (required):');
  for (const v of thresholds) out(verdictLine(v));
  out('goals:');
  for (const v of goals) out(verdictLine(v));
  out(
    `load average (1 min) ${loadStart[0]?.toFixed(2)} → ${loadEnd.toFixed(2)} on ${cores} cores; ` +
      `${browserVersion}, Lighthouse ${first.lighthouseVersion}`,
  );
  if (!values['no-record']) {
    appendLighthouseRow(PERFORMANCE_DOC, {
      date: new Date(),
      commit: commitLabel(),
      target: label,
      runs,
      median,
      thresholds,
      goals,
      loadAverage: { start: loadStart[0] ?? 0, end: loadEnd },
      browserVersion,
      lighthouseVersion: first.lighthouseVersion,
    });
    out(`row appended to ${PERFORMANCE_DOC}`);
  }
  const verdict = verdictText(thresholds, goals);
  out(verdict.startsWith('FAIL') ? `LIGHTHOUSE ${verdict}` : `LIGHTHOUSE ${verdict.toUpperCase()}`);
  exitCode = thresholds.every((v) => v.ok) ? 0 : 1;
} catch (err) {
  process.stderr.write(
    `lighthouse could not run: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  exitCode = 2;
} finally {
  await target?.stop();
}
process.exit(abort.signal.aborted ? 130 : exitCode);

function positiveInteger(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer\n`);
    process.exit(2);
  }
  return n;
}

/**
 * Waits (up to --settle seconds) until the machine's CPU was at most QUIET_CPU_SHARE busy over two
 * seconds in a row (`waitForQuietCpu`). What Lighthouse's CPU figures depend on is the CPU left to
 * Chromium while it measures, which this reads directly; the 1-min load average only falls a
 * minute or more after the heavy suites' processes have gone.
 */
async function settle(): Promise<void> {
  if (settleSeconds === 0) return;
  const { waitedMs, share, quiet } = await waitForQuietCpu({
    maxWaitMs: settleSeconds * 1000,
    quietShare: QUIET_CPU_SHARE,
    signal: abort.signal,
  });
  out(
    `waited ${Math.round(waitedMs / 1000)} s for the machine to settle: ` +
      `CPU ${Math.round(share * 100)} % busy over the last second, load average ` +
      `${loadavg()[0]?.toFixed(2)}` +
      (quiet ? '' : ` (not quiet after ${settleSeconds} s; measuring anyway)`),
  );
}

/** A URL someone else serves. The dev certificate is the only one a loopback host can have. */
function externalTarget(url: string): LighthouseTarget {
  const host = new URL(url).hostname;
  const loopback = host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  return {
    url,
    label: url,
    ignoreCertificateErrors: values['ignore-certificate-errors'] ?? loopback,
    stop: () => Promise.resolve(),
  };
}

function figures(m: LighthouseMetrics): string {
  return (['lcpMs', 'fcpMs', 'cls', 'tbtMs', 'speedIndexMs', 'score'] as const)
    .map((k) => formatMetric(k, m[k]))
    .join(', ');
}

function verdictLine(v: Verdict): string {
  return `  ${v.ok ? 'ok  ' : 'FAIL'} ${describeBound(v.bound)}: ${formatMetric(v.bound.metric, v.actual)}`;
}

/** The short commit, marked `+changes` when tracked files differ (this table's own doc aside). */
function commitLabel(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const changes = git(
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      '.',
      ':!docs/performance.md',
    );
    return changes ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}
