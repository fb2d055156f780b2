import { parseArgs } from 'node:util';
import { wholeNumberArg } from './cli-args.ts';
import { runLoadTest, type LoadTestOptions } from './orchestrator.ts';
import { scenarioFileOf, type ScenarioOverride } from './scenario.ts';
import { dropDiagnosis } from './drop-diagnosis.ts';
import { dropReport } from './drop-report.ts';
import { loopLine } from './loop-monitor.ts';
import { processCpuLine, runQueueWaitLine } from './process-cpu.ts';
import { requestsByRouteLine } from './server-metrics.ts';
import { GROUP_NICE_MAX, GROUP_NICE_MIN } from './sched-group.ts';

// `make load-test` → node tests/load/run.ts [options]. See docs/load-testing.md.
const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    // A named scenario: `default` (scenario.json) or one of scenarios/<name>.json, e.g. `drop`.
    name: { type: 'string' },
    vus: { type: 'string' },
    tool: { type: 'string', default: 'auto' },
    'mongo-url': { type: 'string' },
    'redis-url': { type: 'string' },
    'results-dir': { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    note: { type: 'string' },
    // The largest size within every threshold (docs/load-testing.md, "Capacity").
    'find-capacity': { type: 'boolean', default: false },
    from: { type: 'string' },
    resolution: { type: 'string' },
    repeat: { type: 'string' },
    // API processes (default: the scenario's apiProcessesPerCore of the cores). On a box the
    // database, Redis and the worker share, fewer can serve more (docs/load-testing.md, "How
    // many API processes").
    'api-processes': { type: 'string' },
    // The worker's scheduling group at this nice, 0-19, 0 being every group's default
    // (docs/load-testing.md, "Who gets the cores"): on Linux with autogroups, above 0 a smaller
    // CPU share for the worker when the cores are taken.
    'worker-nice': { type: 'string' },
  },
});

const tool = values.tool;
for (const name of ['from', 'resolution', 'repeat'] as const) {
  if (values[name] !== undefined && !values['find-capacity']) {
    process.stderr.write(`--${name} only applies with --find-capacity\n`);
    process.exit(2);
  }
}
if (values.scenario !== undefined && values.name !== undefined) {
  process.stderr.write('give --scenario FILE or --name NAME, not both\n');
  process.exit(2);
}
const scenarioFile =
  values.scenario ?? (values.name === undefined ? undefined : scenarioFileOf(values.name));
if (tool !== 'auto' && tool !== 'k6' && tool !== 'node') {
  process.stderr.write('--tool must be auto, k6 or node\n');
  process.exit(2);
}
// --vus N scales every stage target to at most N (a quick smaller run with the same shape).
let override: ScenarioOverride | undefined;
if (values.vus !== undefined) {
  const cap = Number(values.vus);
  const { loadScenario } = await import('./scenario.ts');
  const base = loadScenario(scenarioFile);
  override = { stages: base.stages.map((s) => ({ ...s, target: Math.min(s.target, cap) })) };
}

const apiProcesses =
  values['api-processes'] === undefined
    ? undefined
    : wholeNumberArg('api-processes', values['api-processes'], 1, 64);

const workerNice =
  values['worker-nice'] === undefined
    ? undefined
    : wholeNumberArg('worker-nice', values['worker-nice'], GROUP_NICE_MIN, GROUP_NICE_MAX);

const abort = new AbortController();
let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (++interrupted > 1) process.exit(130); // second Ctrl-C: give up waiting
    process.stderr.write('\nstopping the load and every process started…\n');
    abort.abort();
  });
}

const opts: LoadTestOptions = {
  scenarioFile,
  scenarioOverride: override,
  tool,
  mongoUrl: values['mongo-url'] ?? process.env.MONGO_URL,
  redisUrl: values['redis-url'] ?? process.env.REDIS_URL,
  apiProcesses,
  workerNice,
  resultsDir: values['results-dir'],
  baselineDoc: values['no-baseline'] ? false : undefined,
  note: values.note,
  signal: abort.signal,
};

if (values['find-capacity']) {
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) {
      process.stderr.write(`--${name} must be a positive number\n`);
      process.exit(2);
    }
    return n;
  };
  const { runCapacitySearch } = await import('./capacity-run.ts');
  const { capacityReport } = await import('./capacity.ts');
  try {
    const c = await runCapacitySearch({
      ...opts,
      max: num('vus', values.vus),
      from: num('from', values.from),
      resolution: num('resolution', values.resolution),
      repeat: num('repeat', values.repeat),
    });
    process.stdout.write(`\n${capacityReport(c).join('\n')}\n`);
    process.exit(abort.signal.aborted ? 130 : c.faults === null ? 0 : 1);
  } catch (err) {
    process.stderr.write(
      `capacity search could not run: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(abort.signal.aborted ? 130 : 2);
  }
}

try {
  const r = await runLoadTest(opts);
  const line = (c: {
    name: string;
    op: string;
    limit: number;
    actual: number | null;
    ok: boolean;
  }) =>
    `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.actual === null ? 'n/a' : Number(c.actual.toFixed(4))} ${c.op} ${c.limit}`;
  process.stdout.write(
    [
      '',
      `thresholds (${r.client.tool}):`,
      ...r.thresholds.map(line),
      'goals (recorded, not enforced):',
      ...r.goals.map(line),
      `server: ${r.server.storefront.requests} storefront requests, hit ratio ${
        r.server.storefront.hitRatio === null
          ? 'n/a'
          : (r.server.storefront.hitRatio * 100).toFixed(3) + '%'
      }, ${r.server.storefront.byTier.coalesced ?? 0} waited on another request's fill, ${r.server.storefront.mongoQueries} MongoDB loads, pool max ${r.server.mongoPool.checkedOutMax} checked out / ` +
        `${r.server.mongoPool.waitQueueMax} waiting, API RSS ${(r.server.memory.apiRssBytes / 2 ** 20).toFixed(0)} MB`,
      `server-side storefront latency (histogram estimate): p95 ${r.server.storefrontServerLatencyMs.p95} ms, p99 ${r.server.storefrontServerLatencyMs.p99} ms`,
      `load generator: ${r.client.coordinatedOmission.lateStarts} late starts (> ${r.client.coordinatedOmission.lateStartThresholdMs} ms), ` +
        `most connections open ${r.client.connections.maxOpen ?? 'n/a'}; machine load average ${r.machine.loadAverageStart} → ${r.machine.loadAverageEnd}`,
      `CPU per storefront request: API ${r.server.cpu.apiMsPerRequest ?? 'n/a'} ms, load generator ${
        r.client.requests.total > 0 && typeof r.client.loadGenerator.cpuSeconds === 'number'
          ? ((r.client.loadGenerator.cpuSeconds * 1000) / r.client.requests.total).toFixed(3)
          : 'n/a'
      } ms`,
      requestsByRouteLine(r.server),
      processCpuLine(r.processCpu),
      ...[runQueueWaitLine(r.processCpu)].filter((l) => l !== undefined),
      loopLine({ API: r.eventLoop?.api, worker: r.eventLoop?.worker }),
      ...(r.drop ? dropReport(r) : []),
      ...dropDiagnosis(r),
      `results: ${r.resultsFile}`,
      r.passed ? 'LOAD TEST PASSED' : `LOAD TEST FAILED: ${r.failures.join(', ')}`,
      '',
    ].join('\n'),
  );
  process.exit(abort.signal.aborted ? 130 : r.passed ? 0 : 1);
} catch (err) {
  process.stderr.write(
    `load test could not run: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(abort.signal.aborted ? 130 : 2);
}
