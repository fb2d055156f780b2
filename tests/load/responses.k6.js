// What both k6 scripts (storefront.k6.js, drop.k6.js) count and summarise the same way: answers
// by status class, and the common part of the summary format (load-summary.js) from k6's metrics.
// k6 only: it creates k6 metrics.
import { Counter } from 'k6/metrics';
import { evaluateClientThresholds, statusClass, SUMMARY_FORMAT } from './load-summary.js';

const responses = {
  '1xx': new Counter('responses_1xx'),
  '2xx': new Counter('responses_2xx'),
  '3xx': new Counter('responses_3xx'),
  '4xx': new Counter('responses_4xx'),
  '5xx': new Counter('responses_5xx'),
  none: new Counter('responses_none'),
};
const responses429 = new Counter('responses_429');

/** Counts one answer by status class (and 429s); returns it. */
export function countResponse(res) {
  (responses[statusClass(res.status)] || responses.none).add(1);
  if (res.status === 429) responses429.add(1);
  return res;
}

/**
 * The summary's common fields (`base`: format, tool, run, latency from the Trend `latencyMetric`,
 * requests, checks, the client thresholds evaluated on them; it passed only when k6's own
 * thresholds passed too: either failing fails the run).
 */
export function commonSummary(data, scenario, baseUrl, latencyMetric, totalRequests) {
  const m = data.metrics;
  const count = (name) => (m[name] ? m[name].values.count : 0);
  const d = m[latencyMetric] ? m[latencyMetric].values : {};
  const seconds = data.state.testRunDurationMs / 1000;
  const byStatus = {};
  for (const cls of Object.keys(responses)) {
    const n = count(`responses_${cls}`);
    if (n > 0) byStatus[cls] = n;
  }
  const total =
    totalRequests === undefined
      ? Object.values(byStatus).reduce((a, b) => a + b, 0)
      : totalRequests;
  const passes = m.checks ? m.checks.values.passes : 0;
  const fails = m.checks ? m.checks.values.fails : 0;
  const core = {
    latencyMs: {
      min: d.min || 0,
      mean: d.avg || 0,
      p50: d.med || 0,
      p90: d['p(90)'] || 0,
      p95: d['p(95)'] || 0,
      p99: d['p(99)'] || 0,
      max: d.max || 0,
    },
    requests: {
      total,
      perSecond: total / seconds,
      byStatus,
      status5xx: count('responses_5xx'),
      status429: count('responses_429'),
      networkErrors: count('responses_none'),
    },
    checks: {
      passed: passes,
      failed: fails,
      rate: passes + fails > 0 ? passes / (passes + fails) : 0,
    },
  };
  const k6Failed = Object.values(m).some(
    (metric) => metric.thresholds && Object.values(metric.thresholds).some((th) => !th.ok),
  );
  const verdict = evaluateClientThresholds(core, scenario);
  const base = {
    format: SUMMARY_FORMAT,
    tool: 'k6',
    toolVersion: 'k6',
    scenario: scenario.name,
    baseUrl,
    startedAt: new Date(Date.now() - data.state.testRunDurationMs).toISOString(),
    durationSeconds: seconds,
    connections: { maxOpen: null, opened: null },
    ...core,
    loadGenerator: {
      iterations: count('iterations'),
      droppedIterations: count('dropped_iterations'),
      k6ThresholdsFailed: k6Failed ? 1 : 0,
    },
    thresholds: verdict.thresholds,
    goals: verdict.goals,
    passed: verdict.thresholds.every((x) => x.ok) && !k6Failed,
  };
  return { base, core, count };
}
