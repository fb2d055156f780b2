// k6 version of the drop scenario (tests/load/scenarios/drop.json), the twin of drop-runner.ts:
//   k6 run --out json=points.json tests/load/drop.k6.js
// `make load-test SCENARIO=drop` runs it when k6 is on PATH (the orchestrator passes the
// effective scenario with the dropped product and the creator's sign-in, and reads points.json).
//
// Buyers arrive at the rate the stages give (ramping-arrival-rate: 10,000 in 10 s), each once:
// storefront JSON, then the page, and for a share of them checkout → sandbox Standard Checkout
// (failing first or abandoning as planned) → the Checkout callback → order status polls until the
// download appears. One creator VU edits the dropped product every editEverySeconds.
//
// k6 VUs share no memory, so staleness and the orders for the verifier are judged after the run
// from the raw points: `drop_read` (value: when the read was sent, tag rev: what it showed),
// `drop_edit` (value: when the edit's 200 arrived, tag rev) and `drop_order` (tags: the order's
// ids and fate). handleSummary writes the common summary; the orchestrator adds those judgements.
//
// Environment: BASE_URL, SANDBOX_URL, SCENARIO_FILE, SUMMARY_FILE (as storefront.k6.js).
import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { buyerPlan, nextPoll, revisionIn, revisionTitle, statusQuery } from './drop-model.js';
import { commonSummary, countResponse } from './responses.k6.js';
import {
  clientAddress,
  parseDurationSeconds,
  requestPath,
  thinkTimeSeconds,
} from './traffic-mix.js';

const scenario = JSON.parse(open(__ENV.SCENARIO_FILE || './scenarios/drop.json'));
const drop = scenario.drop;
const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const SANDBOX_URL = (__ENV.SANDBOX_URL || 'http://127.0.0.1:4010').replace(/\/$/, '');
const SUMMARY_FILE = __ENV.SUMMARY_FILE || 'tests/load/results/k6-drop-summary.json';
const USERNAME = scenario.mix.hotUsername;
const t = scenario.thresholds;
const stageSeconds = scenario.stages.reduce((s, st) => s + parseDurationSeconds(st.duration), 0);
const peak = Math.max(...scenario.stages.map((s) => s.target));

/** Arrivals: each stage's increase of buyers spread evenly over its duration. */
function arrivalStages() {
  const out = [];
  let from = 0;
  for (const st of scenario.stages) {
    const seconds = parseDurationSeconds(st.duration);
    const rate = Math.max(0, Math.round((st.target - from) / seconds));
    out.push({ target: rate, duration: '0s' }, { target: rate, duration: st.duration });
    from = st.target;
  }
  return out;
}

export const options = {
  scenarios: {
    buyers: {
      executor: 'ramping-arrival-rate',
      exec: 'buyer',
      startRate: 0,
      timeUnit: '1s',
      stages: arrivalStages(),
      preAllocatedVUs: Math.min(peak, 2000),
      maxVUs: peak,
      gracefulStop: `${scenario.gracefulRampDownSeconds}s`,
    },
    creator: {
      executor: 'constant-vus',
      exec: 'creator',
      vus: 1,
      duration: `${stageSeconds}s`,
      gracefulStop: '10s',
    },
  },
  thresholds: {
    storefront_duration: [`p(95)<${t.p95Ms}`, `p(99)<${t.p99Ms}`],
    checkout_duration: [`p(99)<${drop.thresholds.checkoutP99Ms}`],
    responses_5xx: [`count<=${t.max5xx}`],
    checks: [`rate>=${t.minCheckRate}`],
  },
  summaryTrendStats: ['min', 'avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
  userAgent: 'storefront-load-drop-k6/1',
};

const trends = {
  json: new Trend('storefront_json_duration', true),
  page: new Trend('storefront_page_duration', true),
  storefront: new Trend('storefront_duration', true),
  checkout: new Trend('checkout_duration', true),
  pay: new Trend('sandbox_pay_duration', true),
  callback: new Trend('callback_duration', true),
  status: new Trend('order_status_duration', true),
  captureToDownload: new Trend('capture_to_download_seen', true),
  edit: new Trend('edit_duration', true),
};
const readPoints = new Trend('drop_read');
const editPoints = new Trend('drop_edit');
const orderPoints = new Counter('drop_order');
const editFailures = new Counter('drop_edit_failures');
const checkoutRetries = new Counter('drop_checkout_retries');

function think() {
  sleep(thinkTimeSeconds(scenario.thinkTimeSeconds));
}

/** The creator signs in once, before the drop. */
export function setup() {
  const res = http.post(`${BASE_URL}/api/v1/auth/login`, JSON.stringify(drop.creator), {
    headers: {
      'Content-Type': 'application/json',
      'X-Forwarded-For': clientAddress(0, scenario.clients),
    },
  });
  if (res.status !== 200) throw new Error(`creator login answered ${res.status}`);
  return { token: res.json('token') };
}

/** The creator's VU: one edit every editEverySeconds, each acknowledged edit a point. */
export function creator(data) {
  let rev = 0;
  const start = Date.now();
  while ((Date.now() - start) / 1000 + drop.editEverySeconds <= stageSeconds) {
    sleep(drop.editEverySeconds);
    rev += 1;
    const res = countResponse(
      http.patch(
        `${BASE_URL}/api/v1/me/products/${drop.productId}`,
        JSON.stringify({ title: revisionTitle(drop.productTitle, rev) }),
        {
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${data.token}`,
            'X-Forwarded-For': clientAddress(0, scenario.clients),
          },
          tags: { step: 'edit' },
        },
      ),
    );
    if (res.status === 200) {
      editPoints.add(Date.now(), { rev: String(rev) });
      trends.edit.add(res.timings.duration);
    } else {
      editFailures.add(1);
    }
  }
}

/** One buyer's whole visit. */
export function buyer() {
  const index = exec.scenario.iterationInTest + 1;
  const xff = clientAddress(index, scenario.clients);
  const headers = { 'X-Forwarded-For': xff };
  const json = { ...headers, 'Content-Type': 'application/json' };

  for (const [step, path] of [
    ['json', requestPath(scenario.request.pathTemplate, USERNAME)],
    ['page', requestPath(drop.pagePathTemplate, USERNAME)],
  ]) {
    if (step === 'page') think();
    const startedAt = Date.now();
    const res = countResponse(http.get(BASE_URL + path, { headers, tags: { step } }));
    const rev = typeof res.body === 'string' ? revisionIn(res.body) : -1;
    trends[step].add(res.timings.duration);
    trends.storefront.add(res.timings.duration);
    if (res.status === 200) readPoints.add(startedAt, { rev: String(rev) });
    check(res, { 'storefront served with a revision': (r) => r.status === 200 && rev >= 0 });
  }

  const plan = buyerPlan(drop);
  if (plan === 'browse') return;
  think();
  const order = { fate: plan, retries: 0, paymentIds: [] };
  let body;
  for (let attempt = 0; attempt < 6; attempt++) {
    const res = countResponse(
      http.post(
        `${BASE_URL}/api/v1/store/${USERNAME}/products/${drop.productId}/checkout`,
        JSON.stringify({ email: `buyer${index}@example.test` }),
        { headers: json, tags: { step: 'checkout' } },
      ),
    );
    trends.checkout.add(res.timings.duration);
    const ok = check(res, { 'checkout created': (r) => r.status === 201 });
    if (ok) {
      body = res.json();
      break;
    }
    if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 409) break;
    order.retries += 1;
    checkoutRetries.add(1);
    sleep(Math.min(2, 0.1 * 2 ** attempt));
  }
  const record = () =>
    orderPoints.add(1, {
      fate: order.fate,
      order_id: body ? body.orderId : '',
      gateway_order_id: body ? body.razorpay.orderId : '',
      payment_ids: order.paymentIds.join(','),
      checkout_retries: String(order.retries),
      captured_at: order.capturedAt ? String(order.capturedAt) : '',
      download_seen_at: order.downloadSeenAt ? String(order.downloadSeenAt) : '',
    });
  if (!body || plan === 'abandoned') return record();
  think();
  const pay = (outcome) => {
    const res = http.post(
      `${SANDBOX_URL}/_sandbox/checkout/pay`,
      JSON.stringify({ order_id: body.razorpay.orderId, key_id: body.razorpay.keyId, outcome }),
      { headers: { 'Content-Type': 'application/json' }, tags: { step: 'pay' } },
    );
    trends.pay.add(res.timings.duration);
    if (res.status !== 200) return undefined;
    const answer = res.json();
    order.paymentIds.push(
      answer.error ? answer.error.metadata.payment_id : answer.razorpay_payment_id,
    );
    return answer;
  };
  if (plan === 'failed' || plan === 'failed_then_captured') {
    if (!pay('failed') || plan === 'failed') return record();
    think();
  }
  const handler = pay('captured');
  if (!handler || handler.error) return record();
  order.capturedAt = Date.now();
  const auth = { ...json, Authorization: `Bearer ${body.accessToken}` };
  const cb = countResponse(
    http.post(`${BASE_URL}/api/v1/orders/${body.orderId}/payment`, JSON.stringify(handler), {
      headers: auth,
      tags: { step: 'callback' },
    }),
  );
  trends.callback.add(cb.timings.duration);
  check(cb, { 'callback accepted': (r) => r.status === 200 });
  const deadline = Date.now() + drop.pollTimeoutSeconds * 1000;
  const query = statusQuery(drop);
  let backoff;
  while (Date.now() < deadline) {
    const res = countResponse(
      http.get(`${BASE_URL}/api/v1/orders/${body.orderId}${query}`, {
        headers: auth,
        tags: { step: 'status', name: '/api/v1/orders/:id' },
        // A read the API holds for the download (`?wait=`) answers within its wait.
        timeout: '60s',
      }),
    );
    trends.status.add(res.timings.duration);
    check(res, { 'order status read': (r) => r.status === 200 });
    if (res.status === 200 && res.json('download')) {
      order.downloadSeenAt = Date.now();
      trends.captureToDownload.add(order.downloadSeenAt - order.capturedAt);
      break;
    }
    const next = nextPoll(drop, backoff, res.timings.duration);
    backoff = next.backoff;
    if (next.pause > 0) sleep(next.pause / 1000);
  }
  record();
}

function step(m, name) {
  const v = m[name] ? m[name].values : undefined;
  if (!v) return { count: 0, p50: null, p95: null, p99: null, max: null };
  return { count: v.count || 0, p50: v.med, p95: v['p(95)'], p99: v['p(99)'], max: v.max };
}

/** The common summary plus the drop's figures k6 can aggregate (the orchestrator adds the rest). */
export function handleSummary(data) {
  const { base, core, count } = commonSummary(data, scenario, BASE_URL, 'storefront_duration');
  const total = core.requests.total;
  const m = data.metrics;
  const summary = {
    ...base,
    vus: { peakTarget: peak, max: count('drop_read') / 2 },
    coordinatedOmission: {
      model: 'arrivals at the stages rate (ramping-arrival-rate), each buyer a closed journey',
      latencyMeasuredFrom: 'actual send time (k6 http_req_duration)',
      lateStartThresholdMs: scenario.lateStartMs,
      lateStarts: 0,
      lateStartP99Ms: 0,
      lateStartMaxMs: 0,
      note: 'k6 reports dropped_iterations when it had no VU free for an arrival.',
    },
    drop: {
      buyers: count('drop_read') / 2,
      plans: {},
      storefrontJson: step(m, 'storefront_json_duration'),
      storefrontPage: step(m, 'storefront_page_duration'),
      connect: step(m, 'http_req_connecting'),
      checkout: step(m, 'checkout_duration'),
      checkoutRetries: count('drop_checkout_retries'),
      sandboxPay: step(m, 'sandbox_pay_duration'),
      callback: step(m, 'callback_duration'),
      orderStatus: step(m, 'order_status_duration'),
      captureToDownloadSeen: step(m, 'capture_to_download_seen'),
      paid: 0,
      downloadsSeen: 0,
      downloadsNotSeen: 0,
      edits: [],
      editFailures: count('drop_edit_failures'),
      editLatency: step(m, 'edit_duration'),
      readsChecked: 0,
      staleReads: 0,
      staleExamples: [],
      status5xxByStep: {},
      sandboxLatencyMs: drop.sandboxLatencyMs,
      records: [],
    },
  };
  const out = {};
  out[SUMMARY_FILE] = JSON.stringify(summary, null, 2);
  out.stdout =
    `drop (k6): ${total} requests, storefront p95 ${core.latencyMs.p95.toFixed(1)} ms, ` +
    `p99 ${core.latencyMs.p99.toFixed(1)} ms, 5xx ${core.requests.status5xx} -> ${summary.passed ? 'PASSED' : 'FAILED'}\n`;
  return out;
}
