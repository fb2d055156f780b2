import type { LighthouseMetrics } from './lighthouse-runner.ts';

// The storefront page's performance budget from its issue, measured with Lighthouse's default
// mobile settings: the thresholds fail `make lighthouse`, the goals are printed and recorded.

/** One bound on one metric. */
export interface Bound {
  metric: keyof LighthouseMetrics;
  op: '<' | '<=' | '>=';
  limit: number;
}

/** Required: the median of the runs must meet every one of these. */
export const LIGHTHOUSE_THRESHOLDS: readonly Bound[] = [
  { metric: 'lcpMs', op: '<', limit: 1200 },
  { metric: 'score', op: '>=', limit: 95 },
  { metric: 'cls', op: '<', limit: 0.05 },
  { metric: 'tbtMs', op: '<', limit: 100 },
];

/**
 * What `make test`'s single smoke run requires: the load figures (LCP, CLS). TBT and the score
 * also weigh main-thread time the browser spends outside our scripts (image decoding shows up as
 * an unattributable long task), which moved from 20 ms to 350–560 ms between two 2-core machines
 * on the same Chromium build and the same commit (docs/performance.md); `make lighthouse` still
 * requires every threshold.
 */
export const SMOKE_THRESHOLDS: readonly Bound[] = LIGHTHOUSE_THRESHOLDS.filter(
  (b) => b.metric === 'lcpMs' || b.metric === 'cls',
);

/** Wanted, not required. */
export const LIGHTHOUSE_GOALS: readonly Bound[] = [
  { metric: 'lcpMs', op: '<=', limit: 1000 },
  { metric: 'score', op: '>=', limit: 100 },
];

/** A bound and whether a figure meets it. */
export interface Verdict {
  bound: Bound;
  actual: number;
  ok: boolean;
}

/**
 * Checks `m` against each bound, on the figure as printed (LCP 1199.6 ms reads 1200 ms and fails
 * `< 1200`), so the verdict never contradicts the figure beside it.
 */
export function judge(m: LighthouseMetrics, bounds: readonly Bound[]): Verdict[] {
  return bounds.map((bound) => {
    const actual = Number(formatValue(bound.metric, m[bound.metric]));
    const ok =
      bound.op === '<'
        ? actual < bound.limit
        : bound.op === '<='
          ? actual <= bound.limit
          : actual >= bound.limit;
    return { bound, actual, ok };
  });
}

// How each figure is named and measured when printed.
const LABELS: Record<keyof LighthouseMetrics, { name: string; unit: string }> = {
  lcpMs: { name: 'LCP', unit: 'ms' },
  fcpMs: { name: 'FCP', unit: 'ms' },
  cls: { name: 'CLS', unit: '' },
  tbtMs: { name: 'TBT', unit: 'ms' },
  speedIndexMs: { name: 'SI', unit: 'ms' },
  score: { name: 'score', unit: '' },
};

/** The figure alone, as the report rounds it: `912`, `0.012`, `100`. */
export function formatValue(metric: keyof LighthouseMetrics, value: number): string {
  return metric === 'cls' ? value.toFixed(3) : String(Math.round(value));
}

/** The figure with its name and unit: `LCP 912 ms`, `CLS 0.012`, `score 100`. */
export function formatMetric(metric: keyof LighthouseMetrics, value: number): string {
  const { name, unit } = LABELS[metric];
  return `${name} ${formatValue(metric, value)}${unit ? ` ${unit}` : ''}`;
}

/** The bound as text: `LCP < 1200 ms`, `score ≥ 95`. */
export function describeBound(b: Bound): string {
  const { name, unit } = LABELS[b.metric];
  const op = b.op === '<=' ? '≤' : b.op === '>=' ? '≥' : '<';
  return `${name} ${op} ${b.limit}${unit ? ` ${unit}` : ''}`;
}

/** The median of each metric over the runs (the mean of the middle two for an even count). */
export function medianMetrics(runs: readonly LighthouseMetrics[]): LighthouseMetrics {
  if (runs.length === 0) throw new Error('no runs to take a median of');
  const median = (key: keyof LighthouseMetrics): number => {
    const values = runs.map((r) => r[key]).sort((a, b) => a - b);
    const mid = Math.floor(values.length / 2);
    return values.length % 2 === 1
      ? (values[mid] as number)
      : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
  };
  return {
    lcpMs: median('lcpMs'),
    fcpMs: median('fcpMs'),
    cls: median('cls'),
    tbtMs: median('tbtMs'),
    speedIndexMs: median('speedIndexMs'),
    score: median('score'),
  };
}
