import { fileURLToPath } from 'node:url';
import type { LoadTestResult } from './load-test-result.ts';
import { insertTableRow, markdownRow } from './markdown-table.ts';

// The baseline table in docs/load-testing.md: one row per `make load-test` run, inserted just
// above the END_MARKER line so the table stays in one place however the document grows.

/** The document holding the baseline table. */
export const BASELINE_DOC = fileURLToPath(new URL('../../docs/load-testing.md', import.meta.url));
/** The line below the table's last row. */
export const END_MARKER =
  '<!-- baseline rows end: tests/load/run.ts inserts new rows above this line -->';

/** The table's header (must match baselineRow's columns). */
export const BASELINE_HEADER = [
  '| Date (UTC) | Commit | Machine | Generator | Peak VUs / conns | Requests (req/s) | p95 ms (server) | p99 ms (server) | 5xx | Checks | Hit ratio | Mongo queries | Pool max out / wait | API RSS MB | Late starts | Result | Conditions |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
].join('\n');

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);

function verdictOf(r: LoadTestResult): string {
  const goalsMissed = r.goals.filter((g) => !g.ok).map((g) => g.name);
  return r.passed
    ? goalsMissed.length === 0
      ? 'pass (goals met)'
      : `pass (goals missed: ${goalsMissed.join(', ')})`
    : `FAIL: ${r.failures.join(', ')}`;
}

/** The Machine cell of the tables: `2 cores, 24 GiB, 1 API procs[, worker nice 5]`. */
export function machineCell(m: LoadTestResult['machine']): string {
  return (
    `${m.cores} cores, ${m.memoryGiB} GiB, ${m.apiProcesses} API procs` +
    (m.workerNice === undefined ? '' : `, worker nice ${m.workerNice}`)
  );
}

/** The cells every table starts with: when, which commit, on what. */
function runCells(r: LoadTestResult): string[] {
  return [
    r.startedAt.slice(0, 16).replace('T', ' '),
    r.commit,
    machineCell(r.machine),
    r.client.tool,
  ];
}

function conditions(r: LoadTestResult): string {
  return `load avg ${r.machine.loadAverageStart} → ${r.machine.loadAverageEnd}${r.note ? `; ${r.note}` : ''}`;
}

/** One table row for a run. */
export function baselineRow(r: LoadTestResult): string {
  const c = r.client;
  const s = r.server;
  const cells = [
    ...runCells(r),
    `${c.vus.max} / ${c.connections.maxOpen ?? 'n/a'}`,
    `${c.requests.total} (${Math.round(c.requests.perSecond)})`,
    `${c.latencyMs.p95.toFixed(1)} (${s.storefrontServerLatencyMs.p95 ?? 'n/a'})`,
    `${c.latencyMs.p99.toFixed(1)} (${s.storefrontServerLatencyMs.p99 ?? 'n/a'})`,
    String(c.requests.status5xx),
    pct(c.checks.rate),
    pct(s.storefront.hitRatio),
    String(s.storefront.mongoQueries),
    `${s.mongoPool.checkedOutMax} / ${s.mongoPool.waitQueueMax}`,
    (s.memory.apiRssBytes / 2 ** 20).toFixed(0),
    String(c.coordinatedOmission.lateStarts),
    verdictOf(r),
    conditions(r),
  ];
  return markdownRow(cells);
}

/** The line below the drop table's last row. */
export const DROP_END_MARKER =
  '<!-- drop rows end: `make load-test SCENARIO=drop` inserts new rows above this line -->';

/** The drop table's header (must match dropBaselineRow's columns). */
export const DROP_HEADER = [
  '| Date (UTC) | Commit | Machine | Generator | Buyers / paid | Storefront p95 / p99 ms | Checkout p95 / p99 ms (sandbox +ms) | Webhook accept p99 ms | Capture → download p50 / p99 ms | 5xx client / server | Hit ratio | Pool max out / wait (API; worker) | Queue backlog max / drain s | Lost / twice / double | Stale reads / edits | Result | Conditions |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
].join('\n');

/** One drop table row for a drop run. */
export function dropBaselineRow(r: LoadTestResult): string {
  const d = r.drop;
  if (!d) throw new Error('not a drop run');
  const c = r.client;
  const n = (v: number | null) => (v === null ? 'n/a' : String(v));
  const w = d.mongoPool.worker;
  const v = d.verifier.figures;
  return markdownRow([
    ...runCells(r),
    `${d.buyers} / ${d.paid}`,
    `${c.latencyMs.p95.toFixed(1)} / ${c.latencyMs.p99.toFixed(1)}`,
    `${n(d.checkout.p95)} / ${n(d.checkout.p99)} (+${d.sandboxLatencyMs})`,
    n(d.webhookAcceptMs.p99),
    `${n(d.captureToDownloadMs.p50)} / ${n(d.captureToDownloadMs.p99)}`,
    `${d.status5xx.client} / ${d.status5xx.server}`,
    pct(r.server.storefront.hitRatio),
    `${d.mongoPool.api.checkedOutMax} / ${d.mongoPool.api.waitQueueMax}; ${w ? `${w.checkedOutMax} / ${w.waitQueueMax}` : 'n/a'}`,
    `${d.queue.backlogMax} / ${n(d.queue.drainSeconds)}`,
    `${v.lost} / ${v.appliedTwice} / ${v.doubleDeliveries}`,
    `${d.staleness.stale} / ${d.staleness.edits}`,
    verdictOf(r),
    conditions(r),
  ]);
}

/** Inserts the drop run's row above the drop table's end marker. */
export function appendDropBaselineRow(docPath: string, r: LoadTestResult): void {
  insertTableRow(docPath, dropBaselineRow(r), {
    endMarker: DROP_END_MARKER,
    section: `## Drop baseline\n\n${DROP_HEADER}`,
    emptyDoc: '# Load testing\n',
  });
}

/** Inserts the run's row above the end marker (adding header and marker if the doc lacks them). */
export function appendBaselineRow(docPath: string, r: LoadTestResult): void {
  insertTableRow(docPath, baselineRow(r), {
    endMarker: END_MARKER,
    section: `## Baseline\n\n${BASELINE_HEADER}`,
    emptyDoc: '# Load testing\n',
  });
}
