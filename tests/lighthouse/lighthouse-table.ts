import { fileURLToPath } from 'node:url';
import { insertTableRow, markdownRow } from '../load/markdown-table.ts';
import { describeBound, formatValue, type Verdict } from './lighthouse-budget.ts';
import type { LighthouseMetrics } from './lighthouse-runner.ts';

// The Lighthouse table in docs/performance.md: one row per `make lighthouse`, inserted just above
// END_MARKER so rows stay in order under the header however the document grows.

/** The document holding the table. */
export const PERFORMANCE_DOC = fileURLToPath(new URL('../../docs/performance.md', import.meta.url));

/** The section's heading; the section is added at the end of the document if it is missing. */
export const SECTION_HEADING = '## Storefront page: Lighthouse (mobile, simulated Slow 4G)';

/** The line below the table's last row. */
export const END_MARKER =
  '<!-- lighthouse rows end: scripts/lighthouse.ts inserts new rows above this line -->';

/** The table's header (must match lighthouseRow's cells). */
export const TABLE_HEADER = [
  '| Date (UTC) | Commit | Target | Runs | LCP ms | FCP ms | CLS | TBT ms | Score | Result | Load average (1 min, start → end) | Chromium, Lighthouse |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
].join('\n');

/** Everything one row says. */
export interface LighthouseRecord {
  date: Date;
  commit: string;
  target: string;
  runs: number;
  median: LighthouseMetrics;
  thresholds: Verdict[];
  goals: Verdict[];
  loadAverage: { start: number; end: number };
  browserVersion: string;
  lighthouseVersion: string;
}

/** `pass`, `pass (goals missed: LCP ≤ 1000 ms)` or `FAIL: LCP < 1200 ms`. */
export function verdictText(thresholds: Verdict[], goals: Verdict[]): string {
  const missed = (vs: Verdict[]) => vs.filter((v) => !v.ok).map((v) => describeBound(v.bound));
  const failed = missed(thresholds);
  if (failed.length > 0) return `FAIL: ${failed.join(', ')}`;
  const goalsMissed = missed(goals);
  return goalsMissed.length === 0 ? 'pass' : `pass (goals missed: ${goalsMissed.join(', ')})`;
}

/** One table row. */
export function lighthouseRow(r: LighthouseRecord): string {
  const figure = (key: keyof LighthouseMetrics) => formatValue(key, r.median[key]);
  const cells = [
    r.date.toISOString().slice(0, 16).replace('T', ' '),
    `\`${r.commit}\``,
    r.target,
    String(r.runs),
    figure('lcpMs'),
    figure('fcpMs'),
    figure('cls'),
    figure('tbtMs'),
    figure('score'),
    verdictText(r.thresholds, r.goals),
    `${r.loadAverage.start.toFixed(2)} → ${r.loadAverage.end.toFixed(2)}`,
    `${r.browserVersion}, ${r.lighthouseVersion}`,
  ];
  return markdownRow(cells);
}

/** Inserts the row above the end marker, adding the section at the end if the doc lacks it. */
export function appendLighthouseRow(docPath: string, r: LighthouseRecord): void {
  insertTableRow(docPath, lighthouseRow(r), {
    endMarker: END_MARKER,
    section: `${SECTION_HEADING}\n\n${TABLE_HEADER}`,
    emptyDoc: '# Performance\n',
  });
}
