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

/** One table row for a run. */
export function baselineRow(r: LoadTestResult): string {
  const c = r.client;
  const s = r.server;
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
  const goalsMissed = r.goals.filter((g) => !g.ok).map((g) => g.name);
  const verdict = r.passed
    ? goalsMissed.length === 0
      ? 'pass (goals met)'
      : `pass (goals missed: ${goalsMissed.join(', ')})`
    : `FAIL: ${r.failures.join(', ')}`;
  const cells = [
    r.startedAt.slice(0, 16).replace('T', ' '),
    r.commit,
    `${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.apiProcesses} API procs`,
    c.tool,
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
    verdict,
    `load avg ${r.machine.loadAverageStart} → ${r.machine.loadAverageEnd}${r.note ? `; ${r.note}` : ''}`,
  ];
  return markdownRow(cells);
}

/** Inserts the run's row above the end marker (adding header and marker if the doc lacks them). */
export function appendBaselineRow(docPath: string, r: LoadTestResult): void {
  insertTableRow(docPath, baselineRow(r), {
    endMarker: END_MARKER,
    section: `## Baseline\n\n${BASELINE_HEADER}`,
    emptyDoc: '# Load testing\n',
  });
}
