import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import { commandsBetween, readCommandTotals } from '@storefront/test-support';
import { appendBaselineRow, appendDropBaselineRow, BASELINE_DOC } from './baseline-table.ts';
import {
  BacklogMonitor,
  connectDropMongo,
  dropFigures,
  dropStackOptions,
  prepareDrop,
  verifyDrop,
} from './drop-run.ts';
import type { DropSummary } from './drop-runner.ts';
import { completeK6DropSummaryFrom } from './k6-drop-points.ts';
import { result, type Check, type LoadSummary } from './load-summary.js';
import type { LoadTestResult } from './load-test-result.ts';
import { LoopMonitor } from './loop-monitor.ts';
import {
  defaultApiProcesses,
  loadScenario,
  maxVus,
  type Scenario,
  type ScenarioOverride,
} from './scenario.ts';
import { serverFigures } from './server-metrics.ts';
import { cpuSnapshot, processCpu } from './process-cpu.ts';
import { startStack, withNofile, type Stack } from './stack.ts';

// `make load-test`: seed, start the production stack, run k6 (or the Node runner where k6 is
// absent) with the scenario, read the server's own metrics, judge, record, and stop everything.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
/** Open files a process needs beyond one per VU connection (logs, Redis, MongoDB pool, pipes). */
const NOFILE_HEADROOM = 1024;

export interface LoadTestOptions {
  /** Scenario file (default tests/load/scenario.json) and fields replacing some of its values. */
  scenarioFile?: string;
  scenarioOverride?: ScenarioOverride;
  /** External services instead of starting redis-server / the in-repo MongoDB server. */
  mongoUrl?: string;
  redisUrl?: string;
  /** API processes (default: the scenario's `apiProcessesPerCore` of the cores). */
  apiProcesses?: number;
  /** The worker's scheduling group at this nice (stack.ts; default: as every other group). */
  workerNice?: number;
  /** `auto` (k6 when on PATH, else the Node runner), or force one. */
  tool?: 'auto' | 'k6' | 'node';
  /** Where `<timestamp>.json` goes (default tests/load/results). */
  resultsDir?: string;
  /** Markdown file whose baseline table gets a row; `false` to skip (tests). */
  baselineDoc?: string | false;
  /** Free text recorded with the run (e.g. who else was using the machine). */
  note?: string;
  log?: (line: string) => void;
  /** Aborting (Ctrl-C) stops the load and everything started; the run then fails. */
  signal?: AbortSignal;
}

/** Runs the whole load test once; resolves with the verdict (it rejects only when it could not run). */
export async function runLoadTest(opts: LoadTestOptions = {}): Promise<LoadTestResult> {
  const t0 = Date.now();
  const out = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const log = (l: string) => out(`[+${((Date.now() - t0) / 1000).toFixed(1)}s] ${l}`);
  const scenario = loadScenario(opts.scenarioFile, opts.scenarioOverride);
  const childNofile = requiredNofile(maxVus(scenario) + NOFILE_HEADROOM);
  const tool = pickTool(opts.tool ?? 'auto');
  const startedAt = new Date();
  const loadAverageStart = loadavg()[0] ?? 0;
  const work = mkdtempSync(join(tmpdir(), 'storefront-load-run-'));
  log(
    `load test "${scenario.name}" with ${tool === 'k6' ? 'k6' : 'the Node runner (k6 not found)'}`,
  );

  let stack: Stack | undefined;
  let dropMongo: Connection | undefined;
  let backlog: BacklogMonitor | undefined;
  try {
    stack = await startStack({
      mongoUrl: opts.mongoUrl,
      redisUrl: opts.redisUrl,
      apiProcesses: opts.apiProcesses ?? defaultApiProcesses(scenario),
      ...(opts.workerNice === undefined ? {} : { workerNice: opts.workerNice }),
      seed: scenario.seed,
      childNofile,
      log,
      ...(scenario.drop ? dropStackOptions(scenario.drop) : {}),
    });
    if (opts.signal?.aborted) throw new Error('aborted');
    const effective: Scenario = { ...scenario, usernames: stack.usernames };
    if (scenario.drop) {
      dropMongo = await connectDropMongo(stack);
      effective.drop = await prepareDrop(dropMongo, stack, scenario);
      backlog = new BacklogMonitor(stack);
      backlog.start();
    }
    const scenarioFile = join(work, 'scenario.effective.json');
    writeFileSync(scenarioFile, JSON.stringify(effective));
    const summaryFile = join(work, 'summary.json');
    const before = await stack.apiMetrics();

    // What MongoDB runs while the buyers run (the drop only: its connection is open here).
    const commandsNow = () =>
      dropMongo?.db ? readCommandTotals(dropMongo.db).catch(() => undefined) : undefined;
    const commandsBefore = await commandsNow();
    const cpuBefore = cpuSnapshot();
    const loadStarted = performance.now();
    const loadStartedAt = Date.now();
    const running = stack;
    const apiLoop = new LoopMonitor(async () => (await running.apiMetrics()).text);
    apiLoop.start();
    const client = await runGenerator(tool, {
      baseUrl: stack.apiUrl,
      sandboxUrl: scenario.drop ? stack.sandbox.url : undefined,
      scenarioFile,
      summaryFile,
      childNofile,
      log,
      signal: opts.signal,
    }).finally(() => apiLoop.stop());
    const eventLoop = {
      api: apiLoop.figures(),
      ...(backlog ? { worker: backlog.loopFigures(loadStartedAt, Date.now()) } : {}),
    };
    const generatorCpu = client.loadGenerator.cpuSeconds;
    const cpu = processCpu(
      cpuBefore,
      cpuSnapshot(),
      (performance.now() - loadStarted) / 1000,
      availableParallelism(),
      // The generator has exited by now; it reports its own CPU.
      typeof generatorCpu === 'number' ? { generator: generatorCpu } : {},
    );
    const commandsAfter = await commandsNow();
    const mongoCommands =
      commandsBefore && commandsAfter ? commandsBetween(commandsBefore, commandsAfter) : undefined;
    // The drop: every webhook, inbox event and delivery finished, then every order checked.
    const verified =
      dropMongo && backlog
        ? await verifyDrop({
            mongo: dropMongo,
            stack,
            client: client as DropSummary,
            backlog,
            log,
          })
        : undefined;
    const apiMetrics = await stack.apiMetrics();
    const workerMetrics = await stack.workerMetrics();
    const server = serverFigures(apiMetrics.text, workerMetrics, apiMetrics.source, before.text);
    const drop =
      verified && backlog
        ? dropFigures({
            scenario,
            client: client as DropSummary,
            verified,
            apiMetricsText: apiMetrics.text,
            workerMetricsText: workerMetrics,
            backlog,
            mongoCommands,
          })
        : undefined;
    await dropMongo?.close();
    dropMongo = undefined;
    log('load done; stopping the stack');
    await stack.stop();
    log('stack stopped');

    const thresholds: Check[] = [
      ...client.thresholds,
      result('cache hit ratio', '>', scenario.thresholds.hitRatioAbove, server.storefront.hitRatio),
      result('server 5xx responses', '<=', scenario.thresholds.max5xx, server.http.status5xx),
      ...(drop?.thresholds ?? []),
    ];
    const goals: Check[] = [
      ...client.goals,
      result('cache hit ratio', '>=', scenario.goals.minHitRatio, server.storefront.hitRatio),
    ];
    const failures = thresholds.filter((t) => !t.ok).map((t) => t.name);
    if (opts.signal?.aborted) failures.push('run interrupted');
    const resultsDir = opts.resultsDir ?? DEFAULT_RESULTS_DIR;
    mkdirSync(resultsDir, { recursive: true });
    const finishedAt = new Date();
    const { usernames, ...scenarioRecord } = effective;
    const outcome: LoadTestResult = {
      passed: failures.length === 0 && client.passed,
      failures,
      resultsFile: join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      commit: gitCommit(),
      machine: {
        cpuModel: cpus()[0]?.model ?? 'unknown',
        cores: availableParallelism(),
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        apiProcesses: stack.apiProcesses,
        ...(opts.workerNice === undefined ? {} : { workerNice: opts.workerNice }),
        loadAverageStart: round(loadAverageStart),
        loadAverageEnd: round(loadavg()[0] ?? 0),
      },
      scenario: { ...scenarioRecord, seededUsernames: usernames?.length ?? 0 },
      client,
      server,
      thresholds,
      goals,
      ...(cpu ? { processCpu: cpu } : {}),
      eventLoop,
      ...(drop ? { drop: drop.figures } : {}),
      ...(opts.note ? { note: opts.note } : {}),
    };
    writeFileSync(outcome.resultsFile, `${JSON.stringify(outcome, null, 2)}\n`);
    if (opts.baselineDoc !== false) {
      const doc = opts.baselineDoc ?? BASELINE_DOC;
      if (outcome.drop) appendDropBaselineRow(doc, outcome);
      else appendBaselineRow(doc, outcome);
    }
    return outcome;
  } catch (err) {
    throw err instanceof Error && opts.signal?.aborted
      ? new Error('load test interrupted', { cause: err })
      : err;
  } finally {
    backlog?.stop();
    await dropMongo?.close().catch(() => undefined);
    await stack?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

interface GeneratorRun {
  baseUrl: string;
  /** The sandbox's URL: set for the drop scenario (buyers pay there). */
  sandboxUrl: string | undefined;
  scenarioFile: string;
  summaryFile: string;
  childNofile: number | undefined;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Runs k6 or the Node runner as a child process and reads the summary it wrote. */
async function runGenerator(tool: 'k6' | 'node', run: GeneratorRun): Promise<LoadSummary> {
  const drop = run.sandboxUrl !== undefined;
  const [cmd, args] =
    tool === 'k6'
      ? withNofile(run.childNofile, 'k6', [
          'run',
          '--quiet',
          // The drop's cross-buyer judgements (staleness, orders) are made from the raw points.
          ...(drop ? ['--out', `json=${pointsFile(run)}`, 'tests/load/drop.k6.js'] : []),
          ...(drop ? [] : ['tests/load/storefront.k6.js']),
        ])
      : withNofile(run.childNofile, process.execPath, [
          drop ? 'tests/load/drop-runner.ts' : 'tests/load/runner.ts',
          '--base-url',
          run.baseUrl,
          ...(drop ? ['--sandbox-url', run.sandboxUrl as string] : []),
          '--scenario',
          run.scenarioFile,
          '--out',
          run.summaryFile,
        ]);
  const child = spawn(cmd, args, {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      BASE_URL: run.baseUrl,
      ...(run.sandboxUrl === undefined ? {} : { SANDBOX_URL: run.sandboxUrl }),
      SCENARIO_FILE: run.scenarioFile,
      SUMMARY_FILE: run.summaryFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') run.log(line);
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const stop = () => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  run.signal?.addEventListener('abort', stop, { once: true });
  const [code] = (await once(child, 'exit')) as [number | null];
  run.signal?.removeEventListener('abort', stop);
  // 0 passed, 1 (runner) / 99 (k6) thresholds failed: both wrote a summary. Anything else did not run.
  let text: string;
  try {
    text = readFileSync(run.summaryFile, 'utf8');
  } catch {
    throw new Error(`the load generator (${tool}) exited with code ${code} and wrote no summary`);
  }
  let summary = JSON.parse(text) as LoadSummary;
  if (tool === 'k6') {
    summary.toolVersion = k6Version() ?? 'k6';
    if (drop) summary = completeK6DropSummaryFrom(summary as DropSummary, pointsFile(run));
  }
  return summary;
}

/** Where k6 writes the drop's raw points (beside the summary, in the run's work directory). */
function pointsFile(run: GeneratorRun): string {
  return run.summaryFile.replace(/\.json$/, '.points.json');
}

function pickTool(wanted: 'auto' | 'k6' | 'node'): 'k6' | 'node' {
  if (wanted === 'node') return 'node';
  const k6 = k6Version() !== undefined;
  if (wanted === 'k6' && !k6) throw new Error('k6 was asked for but is not on PATH');
  return k6 ? 'k6' : 'node';
}

function k6Version(): string | undefined {
  const r = spawnSync('k6', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * The open-files limit children must run with, or undefined when the current one suffices.
 * Each VU holds a connection: the generator needs one descriptor per VU, and so (spread over its
 * processes) does the API. Raises the soft limit up to the hard one; fails clearly beyond it.
 */
export function requiredNofile(needed: number): number | undefined {
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' });
  const [soft, hard] = r.stdout
    .trim()
    .split('\n')
    .map((v) => (v.trim() === 'unlimited' ? Infinity : Number(v)));
  if (soft === undefined || hard === undefined || Number.isNaN(soft) || Number.isNaN(hard)) {
    throw new Error(`could not read the open-files limit (ulimit -n): ${r.stdout} ${r.stderr}`);
  }
  if (soft >= needed) return undefined;
  if (hard >= needed) return needed;
  throw new Error(
    `this scenario needs ${needed} open files per process (one per virtual user's connection plus ` +
      `${NOFILE_HEADROOM}), but the hard limit is ${hard}. Raise it, e.g. \`ulimit -Hn ${needed}\` as ` +
      `root, LimitNOFILE= in systemd or --ulimit nofile=${needed} in Docker, or run fewer users.`,
  );
}

function gitCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return `${head.stdout.trim()}${dirty.stdout.trim() === '' ? '' : '+dirty'}`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
