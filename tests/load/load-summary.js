// The summary format both load generators write (plain JavaScript so the k6 script's
// handleSummary can import it), and the client-side thresholds evaluated on it. One definition
// keeps "p95 < 100 ms" meaning the same thing whichever tool ran.

/** Format version of the summary JSON; bump when a field changes meaning. */
export const SUMMARY_FORMAT = 1;

/**
 * Client-side thresholds and goals for a summary's figures. Thresholds fail the run; goals are
 * recorded only. Server-side ones (cache hit ratio, server 5xx) are added by the orchestrator.
 */
export function evaluateClientThresholds(summary, scenario) {
  const t = scenario.thresholds;
  const g = scenario.goals;
  const l = summary.latencyMs;
  const r = summary.requests;
  return {
    thresholds: [
      result('p95 latency (ms)', '<', t.p95Ms, l.p95),
      result('p99 latency (ms)', '<', t.p99Ms, l.p99),
      result('5xx responses', '<=', t.max5xx, r.status5xx),
      result('check pass rate', '>=', t.minCheckRate, summary.checks.rate),
      result('requests sent', '>', 0, r.total),
    ],
    goals: [
      result('p95 latency (ms)', '<', g.p95Ms, l.p95),
      result('p99 latency (ms)', '<', g.p99Ms, l.p99),
    ],
  };
}

/** One threshold or goal: `actual <op> limit`. */
export function result(name, op, limit, actual) {
  const ok =
    typeof actual === 'number' && Number.isFinite(actual)
      ? op === '<'
        ? actual < limit
        : op === '<='
          ? actual <= limit
          : op === '>'
            ? actual > limit
            : actual >= limit
      : false;
  return { name, op, limit, actual, ok };
}

/** Status class of an HTTP status for the summary's `byStatus` ("2xx" … "5xx"; 0 = no response). */
export function statusClass(status) {
  return status === 0 ? 'none' : `${Math.floor(status / 100)}xx`;
}
