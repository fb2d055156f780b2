import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { FaultInjector, type FaultFigures } from './faults.ts';
import type { ChaosOptions } from './options.ts';
import { postPoisonedEvents, type PoisonedEvent } from './poison.ts';
import { waitForQuiet, type Backlog } from './quiet.ts';
import { seededRng } from './random.ts';
import { startChaosStack, type ChaosStack } from './stack.ts';
import { Supervisor } from './supervisor.ts';
import { planFates, runTraffic, seedSellers, type OrderRecord } from './traffic.ts';
import { collectFacts, judge, type Figures, type ReceivedAlert } from './verify.ts';

/**
 * Poisoned events go out once this fraction of checkouts is done: inside the fault windows, and
 * early enough that the retry schedule of the one that is retried can end within the traffic.
 */
const POISON_AT = 0.1;

/** Everything a run measured and decided. */
export interface ChaosReport {
  passed: boolean;
  options: ChaosOptions;
  startedAt: string;
  commit: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    loadAverage: [number, number];
  };
  /** Stack start-up, traffic, and draining after the traffic, in ms. */
  startupMs: number;
  trafficMs: number;
  drainMs: number;
  quiet: boolean;
  backlog: Backlog;
  faults: FaultFigures;
  figures: Figures;
  gateway: { apiCalls: number; throttled: number; reconciliationCalls: number };
  /** Exits of API/worker processes the run did not cause (each restarted), as signal or code. */
  processes: { workerStarts: number; unexpectedExits: Record<string, string[]> };
  violations: string[];
  /** Logs of the run (kept when it failed or with --keep-logs). */
  runDir: string;
  logsKept: boolean;
}

/** One full chaos run: start, load, break things, drain, check, stop everything. */
export async function runChaos(
  opts: ChaosOptions,
  io: { log: (line: string) => void; signal?: AbortSignal; onStack?: (stack: ChaosStack) => void },
): Promise<ChaosReport> {
  const { log } = io;
  const startedAt = new Date();
  const load0 = loadavg()[0] ?? 0;
  log(
    `chaos run: ${opts.orders} checkouts, ${opts.concurrency} at a time, seed ${opts.seed}, ` +
      `WEBHOOK_RETRY_TIME_SCALE ${opts.retryTimeScale}, Redis ${opts.redis}`,
  );
  const stack = await startChaosStack({
    retryTimeScale: opts.retryTimeScale,
    redis: opts.redis,
    ...(opts.mongoUrl ? { mongoUrl: opts.mongoUrl } : {}),
    log,
  });
  io.onStack?.(stack);
  const startupMs = Date.now() - startedAt.getTime();
  let passed = false;
  let supervisor: Supervisor | undefined;
  try {
    const rng = seededRng(opts.seed);
    const sellers = await seedSellers(
      stack.mongo,
      stack.config,
      stack.sandbox,
      stack.platform,
      stack.proxy.url,
    );
    const fates = planFates(rng, opts.orders, {
      abandon: opts.abandonRatio,
      fail: opts.failRatio,
      lostWebhooks: opts.lostWebhooksRatio,
    });
    const faults = new FaultInjector(stack, opts, rng, log);
    supervisor = new Supervisor(
      [...stack.apis, ...stack.workers],
      (p) => faults.isHeldDown(p),
      (what) => faults.note(what),
    );
    supervisor.start();

    let poison: Promise<PoisonedEvent[]> = Promise.resolve([]);
    let poisonStarted = false;
    let lastShown = 0;
    const t0 = Date.now();
    faults.start();
    const postPoison = () =>
      postPoisonedEvents({
        proxyUrl: stack.proxy.url,
        apiUrl: stack.apiUrls[0] as string,
        sellers,
        count: opts.poison,
      });
    let records: OrderRecord[] = [];
    let trafficError: Error | undefined;
    try {
      records = await runTraffic({
        apiUrls: stack.apiUrls,
        sandbox: stack.sandbox,
        sellers,
        fates,
        concurrency: opts.concurrency,
        ...(io.signal ? { signal: io.signal } : {}),
        onProgress: (done, total) => {
          const fraction = done / total;
          faults.progress(fraction);
          if (!poisonStarted && fraction >= POISON_AT && opts.poison > 0) {
            // Posted in the middle of the faults, like anything else Razorpay sends.
            poisonStarted = true;
            poison = postPoison();
            // Awaited after the traffic; until then a failure must not be an unhandled rejection.
            poison.catch(() => undefined);
          }
          if (done === total || Date.now() - lastShown >= 5_000) {
            lastShown = Date.now();
            const s = (Date.now() - t0) / 1000;
            log(
              `  traffic: ${done}/${total} orders in ${s.toFixed(0)} s (${(done / s).toFixed(0)}/s)`,
            );
          }
        },
      });
    } catch (err) {
      trafficError = err instanceof Error ? err : new Error(String(err));
    }
    // Faults end even when the traffic failed, so that stopping is orderly.
    const faultFigures = await faults.finish();
    if (trafficError !== undefined) throw trafficError;
    if (!poisonStarted && opts.poison > 0) poison = postPoison();
    const poisoned = await poison;
    const trafficMs = Date.now() - t0;
    io.signal?.throwIfAborted();
    log(`traffic done in ${(trafficMs / 1000).toFixed(1)} s; waiting for quiet`);

    const drain = await waitForQuiet({
      mongo: stack.mongo,
      sandbox: stack.sandbox,
      records,
      timeoutMs: opts.drainTimeoutMs,
      log,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    log(
      drain.quiet
        ? `quiet after ${(drain.ms / 1000).toFixed(1)} s`
        : `NOT quiet after ${(drain.ms / 1000).toFixed(1)} s`,
    );

    await supervisor.stop();
    const facts = await collectFacts({
      mongo: stack.mongo,
      sandbox: stack.sandbox,
      records,
      poisoned,
      alerts: [...stack.alerts.received] as ReceivedAlert[],
      workerLogFiles: stack.workers.map((w) => w.logFile),
    });
    const verdict = judge(facts);
    const violations = [...verdict.violations];
    if (!drain.quiet) {
      violations.unshift(
        `not quiet within ${opts.drainTimeoutMs} ms: ${JSON.stringify(drain.backlog)}`,
      );
    }
    const badPosts = poisoned.filter((p) => p.status !== 200);
    if (badPosts.length > 0) {
      violations.push(
        `poisoned events the API did not accept: ${badPosts.map((p) => `${p.eventId} (${p.status})`).join(', ')}`,
      );
    }
    const requests = stack.sandbox.requests();
    passed = violations.length === 0;
    const unexpectedExits: Record<string, string[]> = {};
    for (const p of [...stack.apis, ...stack.workers]) {
      if (p.unexpectedExits().length > 0) unexpectedExits[p.name] = p.unexpectedExits();
    }
    return {
      passed,
      options: opts,
      startedAt: startedAt.toISOString(),
      commit: gitCommit(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverage: [round1(load0), round1(loadavg()[0] ?? 0)],
      },
      startupMs,
      trafficMs,
      drainMs: drain.ms,
      quiet: drain.quiet,
      backlog: drain.backlog,
      faults: faultFigures,
      figures: verdict.figures,
      gateway: {
        apiCalls: requests.length,
        throttled: requests.filter((r) => r.status === 429).length,
        reconciliationCalls: requests.filter(
          (r) => r.method === 'GET' && r.path.includes('/payments'),
        ).length,
      },
      processes: {
        workerStarts: stack.workers.reduce((n, w) => n + w.starts(), 0),
        unexpectedExits,
      },
      violations,
      runDir: stack.runDir,
      logsKept: !passed || opts.keepLogs,
    };
  } finally {
    await supervisor?.stop();
    if (passed && opts.mongoUrl) {
      await stack.mongo.dropDatabase().catch(() => undefined);
    }
    await stack.stop();
    if (passed && !opts.keepLogs) rmSync(stack.runDir, { recursive: true, force: true });
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
