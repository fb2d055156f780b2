// k6 load test of the public storefront: `k6 run tests/load/storefront.k6.js`.
// The scenario (stages, popularity mix, think time, thresholds) comes from ONE file,
// tests/load/scenario.json, which the Node runner (tests/load/runner.ts) reads too; the traffic
// model and the summary format are shared modules, so both tools generate and report the same.
//
// Environment: BASE_URL (default http://127.0.0.1:3000), SCENARIO_FILE (default ./scenario.json,
// the orchestrator passes an effective copy with the seeded usernames), SUMMARY_FILE (where the
// JSON summary goes). The API must trust the loopback proxy (TRUST_PROXY=loopback) so that the
// X-Forwarded-For address of each VU is the client the rate limiter sees.
//
// Memory: each k6 VU is its own JavaScript runtime; for 10,000 VUs run with
// `--compatibility-mode=base` if k6 runs short of memory (this script needs no transpiling).
import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { commonSummary, countResponse } from './responses.k6.js';
import {
  clientAddress,
  createUsernamePicker,
  defaultTailUsernames,
  requestPath,
  thinkTimeSeconds,
} from './traffic-mix.js';

const scenario = JSON.parse(open(__ENV.SCENARIO_FILE || './scenario.json'));
const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const SUMMARY_FILE = __ENV.SUMMARY_FILE || 'tests/load/results/k6-summary.json';
const t = scenario.thresholds;

export const options = {
  scenarios: {
    storefront: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: scenario.stages,
      gracefulRampDown: `${scenario.gracefulRampDownSeconds}s`,
      gracefulStop: `${scenario.gracefulRampDownSeconds}s`,
    },
  },
  thresholds: {
    http_req_duration: [`p(95)<${t.p95Ms}`, `p(99)<${t.p99Ms}`],
    responses_5xx: [`count<=${t.max5xx}`],
    checks: [`rate>=${t.minCheckRate}`],
  },
  summaryTrendStats: ['min', 'avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
  userAgent: 'storefront-load-k6/1',
  // One keep-alive connection per VU (k6's default): no connection reuse across VUs.
  noVUConnectionReuse: false,
};

const lateStart = new Trend('late_start', true);
const lateStarts = new Counter('late_starts');

// Per-VU state (each VU has its own copy of module scope).
let pick;
let address;
let nextIntendedAt = 0;

export default function () {
  if (!pick) {
    pick = createUsernamePicker(
      scenario.mix,
      scenario.usernames || defaultTailUsernames(scenario.seed.creators),
    );
    address = clientAddress(exec.vu.idInTest, scenario.clients);
  }
  if (nextIntendedAt > 0) {
    const late = Math.max(0, Date.now() - nextIntendedAt);
    lateStart.add(late);
    if (late > scenario.lateStartMs) lateStarts.add(1);
  }
  const username = pick();
  const res = http.get(BASE_URL + requestPath(scenario.request.pathTemplate, username), {
    headers: { 'X-Forwarded-For': address, Accept: 'application/json' },
    tags: { name: scenario.request.pathTemplate },
  });
  countResponse(res);
  check(res, {
    'storefront served': (r) =>
      r.status === scenario.request.expectStatus &&
      typeof r.body === 'string' &&
      r.body.includes(username),
  });
  const thinkS = thinkTimeSeconds(scenario.thinkTimeSeconds);
  nextIntendedAt = Date.now() + thinkS * 1000;
  sleep(thinkS);
}

/** Writes the shared summary format (see tests/load/load-summary.d.ts). */
export function handleSummary(data) {
  const { base, core, count } = commonSummary(
    data,
    scenario,
    BASE_URL,
    'http_req_duration',
    data.metrics.http_reqs ? data.metrics.http_reqs.values.count : 0,
  );
  const total = core.requests.total;
  const m = data.metrics;
  const late = m.late_start ? m.late_start.values : {};
  const summary = {
    ...base,
    vus: {
      peakTarget: Math.max(...scenario.stages.map((s) => s.target)),
      max: m.vus_max ? m.vus_max.values.max : 0,
    },
    coordinatedOmission: {
      model: 'closed (ramping-vus, one keep-alive connection per VU, think time between requests)',
      latencyMeasuredFrom:
        'actual send time (k6 http_req_duration); late starts after think time are reported separately',
      lateStartThresholdMs: scenario.lateStartMs,
      lateStarts: count('late_starts'),
      lateStartP99Ms: late['p(99)'] || 0,
      lateStartMaxMs: late.max || 0,
      note:
        'In a closed model a slow server also lowers the request rate; compare requests.perSecond ' +
        'with the VU count divided by (mean think time + mean latency).',
    },
  };
  const out = {};
  out[SUMMARY_FILE] = JSON.stringify(summary, null, 2);
  out.stdout =
    `storefront load (k6): ${total} requests, p95 ${core.latencyMs.p95.toFixed(1)} ms, ` +
    `p99 ${core.latencyMs.p99.toFixed(1)} ms, 5xx ${core.requests.status5xx}, ` +
    `checks ${(core.checks.rate * 100).toFixed(2)}% -> ${summary.passed ? 'PASSED' : 'FAILED'}\n`;
  return out;
}
