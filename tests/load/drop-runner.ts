import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { StoppableSleeps } from '@storefront/shared';
import type { OrderRecord } from '../chaos/traffic.ts';
import {
  buyerPlan,
  nextPoll,
  statusQuery,
  percentile,
  revisionIn,
  revisionTitle,
  staleReads,
  type EditAck,
  type RevisionRead,
} from './drop-model.js';
import { callbackOn, checkoutOn, payOn, statusOn } from './buyer-steps.ts';
import { Http1Connection } from '@storefront/test-support/http1-connection';
import type { LatencyMs, LoadSummary } from './load-summary.js';
import {
  ConnectionCount,
  nodeRunnerSummary,
  RequestTally,
  round,
  runGeneratorCli,
} from './node-summary.ts';
import {
  loadScenario,
  maxVus,
  targetVusAt,
  totalStageSeconds,
  type DropSettings,
  type Scenario,
} from './scenario.ts';
import { clientAddress, requestPath, thinkTimeSeconds } from './traffic-mix.js';

// The Node generator of the drop scenario (tests/load/scenarios/drop.json). Each virtual user is
// one buyer who arrives once (the stages ramp arrivals: 10,000 within 10 s), reads the storefront
// JSON and then the page on one lean keep-alive connection (Http1Connection, as the browse
// runner), and, for a share of buyers, checks out, pays through the sandbox's Standard Checkout
// (failing first or abandoning as planned), posts the Checkout callback and polls the order
// until its download appears. A buyer keeps their API connection for the whole journey, as a
// browser does, and opens one to the sandbox when they first pay (buyer-steps.ts).
// Meanwhile the creator edits the dropped product every few seconds; every storefront read is
// checked against the edits acknowledged before it was sent (no stale storefront).

const USER_AGENT = 'storefront-load-drop/1';
const CONTROL_TICK_MS = 50;
const CHECKOUT_ATTEMPTS = 6;
const STEP_TIMEOUT_MS = 30_000;

/** A buyer's order as the verifier needs it, plus when the payment was captured and seen delivered. */
export interface DropOrderRecord extends OrderRecord {
  /** Wall-clock ms when the sandbox answered the captured attempt. */
  capturedAt?: number;
  /** Wall-clock ms when the order status first showed the download. */
  downloadSeenAt?: number;
}

/** Latency of one kind of step (ms); null figures when the step never ran. */
export interface StepLatency {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** The drop-specific part of the summary. */
export interface DropClientFigures {
  buyers: number;
  plans: Record<string, number>;
  /** Storefront JSON and page separately (the summary's latencyMs is both together). */
  storefrontJson: StepLatency;
  storefrontPage: StepLatency;
  /** TCP connect of each buyer's storefront connection (part of the JSON read's latency). */
  connect: StepLatency;
  /** POST checkout (our API creating the sandbox order), each attempt. */
  checkout: StepLatency;
  checkoutRetries: number;
  /** The sandbox's Checkout pay call (the buyer in the modal). */
  sandboxPay: StepLatency;
  /** POST /api/v1/orders/:id/payment (the Checkout handler's callback). */
  callback: StepLatency;
  orderStatus: StepLatency;
  /** Capture answered → the buyer's poll first showed the download (poll granularity included). */
  captureToDownloadSeen: StepLatency;
  paid: number;
  downloadsSeen: number;
  /** Buyers who paid but saw no download within pollTimeoutSeconds. */
  downloadsNotSeen: number;
  edits: EditAck[];
  editFailures: number;
  editLatency: StepLatency;
  readsChecked: number;
  /** Reads per revision shown (`-1`: none), so a run shows the edits really reached buyers. */
  revisionsSeen: Record<string, number>;
  staleReads: number;
  staleExamples: Array<RevisionRead & { expected: number }>;
  /** Requests per step kind that answered 5xx. */
  status5xxByStep: Record<string, number>;
  sandboxLatencyMs: number;
  records: DropOrderRecord[];
}

/** The summary the drop runner writes: the common format plus the drop's figures. */
export type DropSummary = LoadSummary & { drop: DropClientFigures };

export interface DropRunnerOptions {
  baseUrl: string;
  sandboxUrl: string;
  scenario: Scenario;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** Wall-clock ms with sub-ms resolution, comparable across the runner's buyers and the creator. */
const wallNow = (): number => performance.timeOrigin + performance.now();

/** Runs the drop against `baseUrl`; resolves with the summary (thresholds evaluated). */
export async function runDrop(opts: DropRunnerOptions): Promise<DropSummary> {
  const { scenario, baseUrl, sandboxUrl } = opts;
  const drop = scenario.drop;
  if (!drop?.productId || !drop.creator) {
    throw new Error('the drop runner needs scenario.drop with productId and creator filled in');
  }
  const productId = drop.productId;
  const username = scenario.mix.hotUsername;
  const target = new URL(baseUrl);
  if (target.protocol !== 'http:') throw new Error(`the drop runner speaks plain HTTP: ${baseUrl}`);
  const log = opts.log ?? (() => {});
  const stopAll = new AbortController();
  opts.signal?.addEventListener('abort', () => stopAll.abort(), { once: true });
  // Buyers' pauses (think time, retry back-off, polling): thousands wait at once, so not one
  // abort listener each (StoppableSleeps says why).
  const pauses = new StoppableSleeps();
  stopAll.signal.addEventListener('abort', () => pauses.stop(), { once: true });

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuStart = process.cpuUsage();

  const steps = {
    json: [] as number[],
    page: [] as number[],
    checkout: [] as number[],
    pay: [] as number[],
    callback: [] as number[],
    status: [] as number[],
    captureToDownload: [] as number[],
    edit: [] as number[],
    connect: [] as number[],
  };
  const storefrontMs: number[] = [];
  const tally = new RequestTally();
  const status5xxByStep: Record<string, number> = {};
  const plans: Record<string, number> = {};
  const reads: RevisionRead[] = [];
  const edits: EditAck[] = [];
  const records: DropOrderRecord[] = [];
  let lateStarts = 0;
  let lateMax = 0;
  let editFailures = 0;
  let checkoutRetries = 0;
  const connections = new ConnectionCount();

  /** Counts one API answer (status 0: none) of a step, and its check. */
  const count = (step: string, status: number, ok: boolean) => {
    tally.record(status, ok);
    if (status >= 500) status5xxByStep[step] = (status5xxByStep[step] ?? 0) + 1;
  };
  const failed = (err: unknown) => tally.networkError(err);
  const think = async (): Promise<number> => {
    const ms = thinkTimeSeconds(scenario.thinkTimeSeconds) * 1000;
    const due = performance.now() + ms;
    await pauses.sleep(ms);
    return due;
  };
  const lateness = (due: number) => {
    const late = performance.now() - due;
    if (late > scenario.lateStartMs) lateStarts++;
    if (late > lateMax) lateMax = late;
  };

  const live = new Set<Http1Connection>();
  const sandboxTarget = new URL(sandboxUrl);
  const buyer = async (index: number): Promise<void> => {
    const xff = clientAddress(index, scenario.clients);
    const created = performance.now();
    let opened = false;
    const conn = new Http1Connection({
      host: target.hostname,
      port: Number(target.port || 80),
      headerLines:
        `Host: ${target.host}\r\nX-Forwarded-For: ${xff}\r\n` +
        `User-Agent: ${USER_AGENT}\r\nAccept: application/json, text/html\r\n`,
      connectTimeoutMs: 10_000,
      responseTimeoutMs: STEP_TIMEOUT_MS,
      onOpen: () => {
        connections.onOpen();
        // The first connect is the storefront's; a reconnect later in the journey is not.
        if (!opened) steps.connect.push(performance.now() - created);
        opened = true;
      },
      onClose: connections.onClose,
    });
    live.add(conn);
    let sandbox: Http1Connection | undefined;
    const sandboxConn = (): Http1Connection => {
      if (sandbox === undefined) {
        sandbox = new Http1Connection({
          host: sandboxTarget.hostname,
          port: Number(sandboxTarget.port || 80),
          headerLines: `Host: ${sandboxTarget.host}\r\nUser-Agent: ${USER_AGENT}\r\n`,
          connectTimeoutMs: 10_000,
          responseTimeoutMs: STEP_TIMEOUT_MS,
          onOpen: () => undefined,
          onClose: () => undefined,
        });
        live.add(sandbox);
      }
      return sandbox;
    };
    try {
      await journey(index, conn, sandboxConn);
    } finally {
      conn.close();
      live.delete(conn);
      if (sandbox !== undefined) {
        sandbox.close();
        live.delete(sandbox);
      }
    }
  };

  const journey = async (
    index: number,
    conn: Http1Connection,
    sandbox: () => Http1Connection,
  ): Promise<void> => {
    // The storefront: JSON at arrival, the page after a moment. Latency from when it was due.
    let due = performance.now();
    for (const [step, path] of [
      ['json', requestPath(scenario.request.pathTemplate, username)],
      ['page', requestPath(drop.pagePathTemplate, username)],
    ] as const) {
      if (step === 'page') due = await think();
      if (stopAll.signal.aborted) return;
      lateness(due);
      const startedAt = wallNow();
      let status = 0;
      let rev = -1;
      try {
        const res = await conn.get(path);
        status = res.status;
        rev = revisionIn(res.body.toString('latin1'));
      } catch (err) {
        failed(err);
      }
      const ms = performance.now() - due;
      steps[step].push(ms);
      storefrontMs.push(ms);
      if (status === 200) reads.push({ startedAt, rev });
      count(step, status, status === scenario.request.expectStatus && rev >= 0);
    }

    const plan = buyerPlan(drop);
    plans[plan] = (plans[plan] ?? 0) + 1;
    if (plan === 'browse' || stopAll.signal.aborted) return;
    await think();
    const rec: DropOrderRecord = {
      index,
      fate: plan,
      seller: 0,
      checkoutRetries: 0,
      paymentIds: [],
    };
    records.push(rec);
    const order = await checkoutWithRetries(rec, conn);
    if (!order || plan === 'abandoned' || stopAll.signal.aborted) return;
    await think();
    if (plan === 'failed' || plan === 'failed_then_captured') {
      const attempt = await timedPay(rec, sandbox(), order.keyId, 'failed');
      if (!attempt || plan === 'failed') return;
      await think();
    }
    const handler = await timedPay(rec, sandbox(), order.keyId, 'captured');
    if (!handler || !('razorpay_payment_id' in handler)) return;
    rec.capturedAt = wallNow();
    const cb = await timed('callback', () =>
      callbackOn(conn, order.orderId, order.accessToken, handler),
    );
    if (cb) count('callback', cb.status, cb.status === 200);
    await pollForDownload(rec, order, conn);
  };

  const timed = async <T>(
    step: keyof typeof steps,
    fn: () => Promise<T>,
  ): Promise<T | undefined> => {
    const t0 = performance.now();
    try {
      return await fn();
    } catch (err) {
      failed(err);
      count(step, 0, false);
      return undefined;
    } finally {
      steps[step].push(performance.now() - t0);
    }
  };

  const checkoutWithRetries = async (
    rec: DropOrderRecord,
    conn: Http1Connection,
  ): Promise<{ orderId: string; accessToken: string; keyId: string } | undefined> => {
    for (let attempt = 0; attempt < CHECKOUT_ATTEMPTS && !stopAll.signal.aborted; attempt++) {
      const res = await timed('checkout', () =>
        checkoutOn(conn, username, productId, { email: `buyer${rec.index}@example.test` }),
      );
      if (res) {
        const ok = res.status === 201 && Boolean(res.body.orderId && res.body.razorpay?.orderId);
        count('checkout', res.status, ok);
        if (ok) {
          rec.orderId = res.body.orderId;
          rec.gatewayOrderId = res.body.razorpay.orderId;
          delete rec.checkoutError;
          return {
            orderId: res.body.orderId,
            accessToken: res.body.accessToken,
            keyId: res.body.razorpay.keyId,
          };
        }
        rec.checkoutError = `${res.status} ${res.body.error?.code ?? ''}`.trim();
        // A refusal the buyer cannot fix by trying again.
        if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 409) {
          return undefined;
        }
      } else {
        rec.checkoutError = tally.firstError ?? 'no answer';
      }
      rec.checkoutRetries += 1;
      checkoutRetries += 1;
      await pauses.sleep(Math.min(2_000, 100 * 2 ** attempt));
    }
    return undefined;
  };

  const timedPay = async (
    rec: DropOrderRecord,
    sandbox: Http1Connection,
    keyId: string,
    outcome: 'failed' | 'captured',
  ) => {
    const answer = await timed('pay', () =>
      payOn(sandbox, { orderId: rec.gatewayOrderId as string, keyId, outcome }),
    );
    if (!answer) {
      rec.payError = tally.firstError ?? 'sandbox pay failed';
      return undefined;
    }
    // The modal's answer: a payment attempt was made (a failed one is what the buyer asked for).
    count('pay', 200, true);
    rec.paymentIds.push(
      'error' in answer ? answer.error.metadata.payment_id : answer.razorpay_payment_id,
    );
    return answer;
  };

  const pollForDownload = async (
    rec: DropOrderRecord,
    order: { orderId: string; accessToken: string },
    conn: Http1Connection,
  ): Promise<void> => {
    const deadline = performance.now() + drop.pollTimeoutSeconds * 1000;
    const query = statusQuery(drop);
    let backoff: number | undefined;
    while (!stopAll.signal.aborted && performance.now() < deadline) {
      const asked = performance.now();
      const res = await timed('status', () =>
        statusOn(conn, order.orderId, order.accessToken, query),
      );
      if (res) {
        count('status', res.status, res.status === 200);
        if (res.status === 200 && res.body.download) {
          rec.downloadSeenAt = wallNow();
          steps.captureToDownload.push(rec.downloadSeenAt - (rec.capturedAt as number));
          return;
        }
      }
      const next = nextPoll(drop, backoff, performance.now() - asked);
      backoff = next.backoff;
      if (next.pause > 0) await pauses.sleep(next.pause);
    }
  };

  // The creator signs in before the drop is announced, then edits while buyers arrive.
  const creatorAddress = clientAddress(0, scenario.clients);
  const token = await signInCreator(baseUrl, drop, creatorAddress);
  const editor = startEditor({
    baseUrl,
    drop,
    productId,
    token,
    address: creatorAddress,
    until: totalStageSeconds(scenario),
    signal: stopAll.signal,
    onEdit: (edit, ms) => {
      count('edit', 200, true);
      edits.push(edit);
      steps.edit.push(ms);
    },
    onFailure: (status, err) => {
      editFailures++;
      count('edit', status, false);
      if (err !== undefined) failed(err);
    },
  }).catch((err: unknown) => {
    editFailures++;
    failed(err);
  });

  // Arrivals: the stages ramp the number of buyers who have arrived; each buyer runs once.
  const stageSeconds = totalStageSeconds(scenario);
  const startedAt = new Date();
  const t0 = performance.now();
  const journeys: Array<Promise<void>> = [];
  let arrived = 0;
  let lastLog = 0;
  log(
    `node drop runner: ${scenario.name}: ${maxVus(scenario)} buyers over ${stageSeconds}s against ${baseUrl}`,
  );
  while (!stopAll.signal.aborted) {
    const t = (performance.now() - t0) / 1000;
    const want = t >= stageSeconds ? maxVus(scenario) : targetVusAt(scenario, t);
    while (arrived < want) journeys.push(buyer(++arrived).catch(failed));
    const now = performance.now();
    for (const conn of live) conn.checkTimeout(now);
    if (t - lastLog >= 5) {
      lastLog = t;
      log(
        `  t=${t.toFixed(0)}s arrived=${arrived} conns=${connections.open} reqs=${tally.total} ` +
          `orders=${records.length} edits=${edits.length} 5xx=${tally.status5xx} errors=${tally.networkErrors}`,
      );
    }
    if (t >= stageSeconds) break;
    await sleep(CONTROL_TICK_MS);
  }
  // Every buyer finishes their journey (or the graceful limit cuts them off).
  const grace = sleep(scenario.gracefulRampDownSeconds * 1000, 'timeout' as const, {
    signal: stopAll.signal,
  }).catch(() => 'timeout' as const);
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const conn of live) conn.checkTimeout(now);
  }, 1_000);
  const finished = await Promise.race([Promise.all(journeys).then(() => 'done' as const), grace]);
  clearInterval(sweep);
  stopAll.abort();
  await editor;
  if (finished === 'timeout') log('  graceful ramp-down over: cutting off remaining buyers');
  const durationSeconds = (performance.now() - t0) / 1000;
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuStart);

  const stale = staleReads(edits, reads);
  const paid = records.filter((r) => r.capturedAt !== undefined);
  const summary = nodeRunnerSummary({
    scenario,
    baseUrl,
    toolVersion: `node ${process.version}, net (http1-connection.ts)`,
    startedAt,
    durationSeconds,
    vusMax: arrived,
    connections,
    latencyMs: latencyOf(storefrontMs),
    tally,
    coordinatedOmission: {
      model: 'arrivals ramped by the stages (open for arrivals), each buyer a closed journey',
      latencyMeasuredFrom:
        'storefront reads: when due (arrival, or end of think time), so generator stalls count',
      lateStartThresholdMs: scenario.lateStartMs,
      lateStarts,
      lateStartP99Ms: 0,
      lateStartMaxMs: round(lateMax),
      note: 'Buyers arrive at the ramp rate whatever the server does; a slow server does not slow arrivals.',
    },
    loadGenerator: {
      cpuSeconds: round((cpu.user + cpu.system) / 1e6),
      eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
      eventLoopDelayMaxMs: round(loopDelay.max / 1e6),
      maxRssMB: Math.round(process.memoryUsage.rss() / 2 ** 20),
    },
    aborted: Boolean(opts.signal?.aborted),
  });
  return {
    ...summary,
    passed: summary.passed && stale.length === 0,
    drop: {
      buyers: arrived,
      plans,
      storefrontJson: stepOf(steps.json),
      storefrontPage: stepOf(steps.page),
      connect: stepOf(steps.connect),
      checkout: stepOf(steps.checkout),
      checkoutRetries,
      sandboxPay: stepOf(steps.pay),
      callback: stepOf(steps.callback),
      orderStatus: stepOf(steps.status),
      captureToDownloadSeen: stepOf(steps.captureToDownload),
      paid: paid.length,
      downloadsSeen: paid.filter((r) => r.downloadSeenAt !== undefined).length,
      downloadsNotSeen: paid.filter((r) => r.downloadSeenAt === undefined).length,
      edits,
      editFailures,
      editLatency: stepOf(steps.edit),
      readsChecked: reads.length,
      revisionsSeen: countRevisions(reads),
      staleReads: stale.length,
      staleExamples: stale.slice(0, 10),
      status5xxByStep,
      sandboxLatencyMs: drop.sandboxLatencyMs,
      records,
    },
  };
}

/** The creator's JWT (the drop's creator signs in with the seeded password). */
async function signInCreator(
  baseUrl: string,
  drop: DropSettings,
  address: string,
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify(drop.creator),
  });
  if (res.status !== 200) throw new Error(`creator sign-in answered ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * The creator during the drop: edits the dropped product's title to the next revision every
 * `editEverySeconds` (on a fixed schedule, so a slow answer does not thin the edits out) until
 * `until` seconds have passed; reports each acknowledged edit (its 200's arrival) and each failed one.
 */
async function startEditor(o: {
  baseUrl: string;
  drop: DropSettings;
  productId: string;
  token: string;
  address: string;
  until: number;
  signal: AbortSignal;
  onEdit: (edit: EditAck, ms: number) => void;
  onFailure: (status: number, err?: unknown) => void;
}): Promise<void> {
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': o.address };
  const start = performance.now();
  const everyMs = o.drop.editEverySeconds * 1000;
  for (let rev = 1; !o.signal.aborted && rev * everyMs <= o.until * 1000; rev++) {
    const wait = start + rev * everyMs - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal: o.signal }).catch(() => undefined);
    if (o.signal.aborted) return;
    const t0 = performance.now();
    try {
      const res = await fetch(`${o.baseUrl}/api/v1/me/products/${o.productId}`, {
        method: 'PATCH',
        headers: { ...headers, authorization: `Bearer ${o.token}` },
        body: JSON.stringify({ title: revisionTitle(o.drop.productTitle, rev) }),
      });
      await res.arrayBuffer();
      if (res.status === 200) o.onEdit({ rev, ackAt: wallNow() }, performance.now() - t0);
      else o.onFailure(res.status);
    } catch (err) {
      o.onFailure(0, err);
    }
  }
}

/** Reads per revision shown. */
export function countRevisions(reads: readonly RevisionRead[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reads) out[r.rev] = (out[r.rev] ?? 0) + 1;
  return out;
}

/** Latency figures of `values` (ms); `missing` values that never came count as infinitely late. */
export function stepOf(values: number[], missing = 0): StepLatency {
  const r = (v: number | null) => (v === null ? null : round(v));
  // What never arrived cannot hide in a percentile.
  const all =
    missing === 0 ? values : [...values, ...Array.from({ length: missing }, () => Infinity)];
  return {
    count: values.length,
    p50: r(percentile(all, 50)),
    p95: r(percentile(all, 95)),
    p99: r(percentile(all, 99)),
    max: r(all.length === 0 ? null : Math.max(...all)),
  };
}

function latencyOf(values: number[]): LatencyMs {
  if (values.length === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const p = (q: number) => round(percentile(values, q) ?? 0);
  let sum = 0;
  let min = Infinity;
  let max = 0;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    min: round(min),
    mean: round(sum / values.length),
    p50: p(50),
    p90: p(90),
    p95: p(95),
    p99: p(99),
    max: round(max),
  };
}

// CLI: node tests/load/drop-runner.ts --base-url URL --sandbox-url URL --scenario FILE [--out FILE]
// Exit code: 0 thresholds passed, 1 a threshold failed, 2 usage or run error.
if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      'sandbox-url': { type: 'string' },
      scenario: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const baseUrl = values['base-url'];
  const sandboxUrl = values['sandbox-url'];
  if (!baseUrl || !sandboxUrl || !values.scenario) {
    process.stderr.write(
      'usage: node tests/load/drop-runner.ts --base-url URL --sandbox-url URL --scenario FILE [--out FILE]\n',
    );
    process.exit(2);
  }
  await runGeneratorCli('drop runner', values.out, (signal) =>
    runDrop({
      baseUrl,
      sandboxUrl,
      scenario: loadScenario(values.scenario),
      signal,
      log: (l) => process.stdout.write(`${l}\n`),
    }),
  );
}
