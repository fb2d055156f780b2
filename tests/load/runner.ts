import { createHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { ApiSchemas } from '@storefront/api';
import { Http1Connection } from '@storefront/test-support/http1-connection';
import type { LoadSummary } from './load-summary.js';
import {
  ConnectionCount,
  nodeRunnerSummary,
  RequestTally,
  round,
  runGeneratorCli,
} from './node-summary.ts';
import { loadScenario, maxVus, targetVusAt, totalStageSeconds, type Scenario } from './scenario.ts';
import {
  clientAddress,
  createUsernamePicker,
  defaultTailUsernames,
  requestPath,
  thinkTimeSeconds,
} from './traffic-mix.js';

// The Node load generator for machines without k6: the same scenario file, the same traffic
// model and the same summary format as tests/load/storefront.k6.js.
//
// Closed model, as k6's ramping-vus: each virtual user (VU) owns ONE keep-alive connection (an
// Http1Connection: a net socket framing responses by Content-Length) and loops request → think
// (1–3 s) → request. Coordinated omission: a VU's next request is due at `previous response end
// + think time`; if this process is too busy to send it then (timers firing late), the delay is a
// "late start", counted and added to that request's latency, because latency is measured from
// the intended send time, not the actual one.

const USER_AGENT = 'storefront-load-runner/1';
const CONTROL_TICK_MS = 50;

export interface RunnerOptions {
  baseUrl: string;
  scenario: Scenario;
  /** Progress lines (every few seconds); silent when omitted. */
  log?: (line: string) => void;
  /** Aborting stops the run early; the summary covers what ran. */
  signal?: AbortSignal;
}

interface Vu {
  id: number;
  conn: Http1Connection;
  stopped: boolean;
  /** Ends the current think time early (when the VU is stopped). */
  wake: (() => void) | undefined;
  timer: NodeJS.Timeout | undefined;
  done: Promise<void>;
}

/** Runs the scenario against `baseUrl` and returns the summary (thresholds evaluated). */
export async function runScenario(opts: RunnerOptions): Promise<LoadSummary> {
  const { scenario, baseUrl } = opts;
  const log = opts.log ?? (() => {});
  const tail = scenario.usernames ?? defaultTailUsernames(scenario.seed.creators);
  const pick = createUsernamePicker(scenario.mix, tail);
  const think = scenario.thinkTimeSeconds;
  const expectStatus = scenario.request.expectStatus;
  const target = new URL(baseUrl);
  if (target.protocol !== 'http:')
    throw new Error(`the Node runner speaks plain HTTP only: ${baseUrl}`);

  // Microsecond histograms (HDR, 3 significant figures) for latency and late starts.
  const latency = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
  const lateness = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuStart = process.cpuUsage();

  const tally = new RequestTally();
  let lateStarts = 0;
  const connections = new ConnectionCount();
  let maxVusRunning = 0;
  let maxRss = 0;

  const running: Vu[] = [];
  /** Every VU not yet finished, stopping ones included (the timeout sweep walks these). */
  const live = new Set<Vu>();
  let nextId = 1;
  const stopAll = new AbortController();
  opts.signal?.addEventListener('abort', () => stopAll.abort(), { once: true });

  const vuLoop = async (vu: Vu): Promise<void> => {
    let intended = performance.now();
    while (!vu.stopped) {
      // The storefront JSON (ApiSchemas['Storefront']) and the page both show this username; the
      // check below looks for it in the body.
      const username: ApiSchemas['Storefront']['creator']['username'] = pick();
      const sentAt = performance.now();
      const late = sentAt - intended;
      lateness.record(Math.max(1, Math.round(late * 1000)));
      if (late > scenario.lateStartMs) lateStarts++;
      let status = 0;
      let ok = false;
      try {
        const res = await vu.conn.get(requestPath(scenario.request.pathTemplate, username));
        status = res.status;
        ok = status === expectStatus && res.body.includes(username);
      } catch (err) {
        tally.networkError(err);
      }
      const end = performance.now();
      latency.record(Math.max(1, Math.round((end - intended) * 1000)));
      tally.record(status, ok);
      const thinkMs = thinkTimeSeconds(think) * 1000;
      intended = end + thinkMs;
      // Stopped while thinking: the VU ends after its last complete request, as in k6 ramp-down.
      if (!vu.stopped) {
        await new Promise<void>((resolve) => {
          vu.wake = resolve;
          vu.timer = setTimeout(resolve, thinkMs);
        });
      }
    }
  };

  const startVu = (): void => {
    const id = nextId++;
    const conn = new Http1Connection({
      host: target.hostname,
      port: Number(target.port || 80),
      headerLines:
        `Host: ${target.host}\r\n` +
        `X-Forwarded-For: ${clientAddress(id, scenario.clients)}\r\n` +
        `User-Agent: ${USER_AGENT}\r\nAccept: application/json\r\n`,
      connectTimeoutMs: 10_000,
      responseTimeoutMs: 30_000,
      onOpen: connections.onOpen,
      onClose: connections.onClose,
    });
    const vu: Vu = {
      id,
      conn,
      stopped: false,
      wake: undefined,
      timer: undefined,
      done: Promise.resolve(),
    };
    const finish = () => {
      conn.close();
      live.delete(vu);
    };
    vu.done = vuLoop(vu).then(finish, finish);
    live.add(vu);
    running.push(vu);
    if (running.length > maxVusRunning) maxVusRunning = running.length;
  };

  // Ramp-down stops the most recently started VUs first (k6 does the same).
  const stopVus = (n: number): Array<Promise<void>> =>
    running.splice(running.length - n, n).map((vu) => {
      vu.stopped = true;
      clearTimeout(vu.timer);
      vu.wake?.();
      return vu.done;
    });

  const stageSeconds = totalStageSeconds(scenario);
  const startedAt = new Date();
  const t0 = performance.now();
  const stopping: Array<Promise<void>> = [];
  let lastLog = 0;
  let lastSweep = 0;
  let lastTotal = 0;
  log(
    `node runner: ${scenario.name}: up to ${maxVus(scenario)} VUs for ${stageSeconds}s against ${baseUrl}`,
  );
  while (!stopAll.signal.aborted) {
    const t = (performance.now() - t0) / 1000;
    if (t >= stageSeconds) break;
    const target = targetVusAt(scenario, t);
    while (running.length < target) startVu();
    if (running.length > target) stopping.push(...stopVus(running.length - target));
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
    if (t - lastSweep >= 1) {
      lastSweep = t;
      const now = performance.now();
      for (const vu of live) vu.conn.checkTimeout(now);
    }
    if (t - lastLog >= 5) {
      log(
        `  t=${t.toFixed(0)}s vus=${running.length} conns=${connections.open} reqs=${tally.total} ` +
          `(${((tally.total - lastTotal) / (t - lastLog)).toFixed(0)}/s) 5xx=${tally.status5xx} errors=${tally.networkErrors}`,
      );
      lastLog = t;
      lastTotal = tally.total;
    }
    await sleep(CONTROL_TICK_MS);
  }

  // End of the last stage: every VU stops after its in-flight request, within the graceful
  // ramp-down; anything still running then is cut off (its request is not counted).
  stopping.push(...stopVus(running.length));
  const grace = sleep(scenario.gracefulRampDownSeconds * 1000, 'timeout' as const);
  const finished = await Promise.race([Promise.all(stopping).then(() => 'done' as const), grace]);
  const durationSeconds = (performance.now() - t0) / 1000;
  if (finished === 'timeout') log('  graceful ramp-down over: cutting off remaining requests');
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuStart);

  const ms = (h: typeof latency, p: number) => round(h.percentile(p) / 1000);
  const total = tally.total;
  return nodeRunnerSummary({
    scenario,
    baseUrl,
    toolVersion: `node ${process.version}, net (http1-connection.ts)`,
    startedAt,
    durationSeconds,
    vusMax: maxVusRunning,
    connections,
    latencyMs: {
      min: total > 0 ? round(latency.min / 1000) : 0,
      mean: total > 0 ? round(latency.mean / 1000) : 0,
      p50: total > 0 ? ms(latency, 50) : 0,
      p90: total > 0 ? ms(latency, 90) : 0,
      p95: total > 0 ? ms(latency, 95) : 0,
      p99: total > 0 ? ms(latency, 99) : 0,
      max: total > 0 ? round(latency.max / 1000) : 0,
    },
    tally,
    coordinatedOmission: {
      model: 'closed (ramping VUs, one keep-alive connection each, think time between requests)',
      latencyMeasuredFrom:
        'intended send time (previous response end + think time), so generator stalls count as latency',
      lateStartThresholdMs: scenario.lateStartMs,
      lateStarts,
      lateStartP99Ms: total > 0 ? ms(lateness, 99) : 0,
      lateStartMaxMs: total > 0 ? round(lateness.max / 1000) : 0,
      note:
        'In a closed model a slow server also lowers the request rate; compare requests.perSecond ' +
        'with the VU count divided by (mean think time + mean latency).',
    },
    loadGenerator: {
      cpuSeconds: round((cpu.user + cpu.system) / 1e6),
      eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
      eventLoopDelayMaxMs: round(loopDelay.max / 1e6),
      maxRssMB: Math.round(maxRss / 2 ** 20),
    },
    aborted: stopAll.signal.aborted,
  });
}

// CLI: node tests/load/runner.ts --base-url URL [--scenario FILE] [--out FILE]
// Exit code: 0 thresholds passed, 1 a threshold failed, 2 usage or run error.
if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      scenario: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const baseUrl = values['base-url'];
  if (!baseUrl) {
    process.stderr.write(
      'usage: node tests/load/runner.ts --base-url URL [--scenario FILE] [--out FILE]\n',
    );
    process.exit(2);
  }
  await runGeneratorCli('load runner', values.out, (signal) =>
    runScenario({
      baseUrl,
      scenario: loadScenario(values.scenario),
      signal,
      log: values.quiet ? undefined : (l) => process.stdout.write(`${l}\n`),
    }),
  );
}
