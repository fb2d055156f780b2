// CPU per buyer step, per process: what one storefront read, checkout, payment (its webhooks
// accepted, applied and delivered), callback and status poll cost the API, the worker, the
// MongoDB stand-in, Redis and the stand-ins, measured one step at a time on the drop's stack.
// The drop's figures say how long buyers waited; these say where the machine's CPU went, and
// what a drop of the scenario's mix asks of it (docs/load-testing.md, "CPU per buyer step").
//
//   npm run bench:buyer-steps -- [--buyers 1000] [--concurrency 10] [--warmup 200]
//                                 [--until <step>] [--quiet-wait 60] [--api-processes N]
//
// Each buyer has its own connection and client address, as in the drop; `--concurrency` buyers
// make a step at once, so the processes are busy but never saturated (what a step costs, not
// what queueing adds). Before each step the machine is let go quiet; the payment step ends when
// every payment is applied and delivered (nothing left in the sandbox, the inbox, the DLQ).
// Every answer is checked: a wrong status or a missing download fails the bench (exit 1).
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Connection } from 'mongoose';
import type { CheckoutSuccess } from '@storefront/devstack';
import { waitForQuiet } from '../chaos/quiet.ts';
import type { OrderRecord } from '../chaos/traffic.ts';
import { callbackOn, checkoutOn, payOn, statusOn } from './buyer-steps.ts';
import { connectDropMongo, dropStackOptions, prepareDrop } from './drop-run.ts';
import { wholeNumberArg } from './cli-args.ts';
import { Http1Connection } from '@storefront/test-support/http1-connection';
import { requiredNofile } from './orchestrator.ts';
import { cpuSnapshot, processCpu } from './process-cpu.ts';
import { waitForQuietCpu } from './quiet-cpu.ts';
import {
  defaultApiProcesses,
  loadScenario,
  maxVus,
  scenarioFileOf,
  totalStageSeconds,
  type DropSettings,
} from './scenario.ts';
import { startStack } from './stack.ts';
import {
  dropEstimate,
  estimateLines,
  STEP_LABELS,
  STEPS,
  stepCost,
  stepCostTable,
  type Step,
  type StepCost,
} from './step-cost-report.ts';
import { clientAddress, requestPath } from './traffic-mix.js';

const { values } = parseArgs({
  options: {
    buyers: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '200' },
    // The last step to measure (the steps before it are measured too): e.g. `checkout`.
    until: { type: 'string', default: 'status' },
    // Longest wait for a quiet CPU before each step, in seconds (0: measure at once, as a smoke
    // test does while other tests run; the figures then include their CPU).
    'quiet-wait': { type: 'string', default: '60' },
    'api-processes': { type: 'string' },
    'mongo-url': { type: 'string' },
    'redis-url': { type: 'string' },
  },
});
const count = (
  name: 'buyers' | 'concurrency' | 'warmup' | 'quiet-wait' | 'api-processes',
  min: number,
  max: number,
): number => wholeNumberArg(name, values[name], min, max);
const buyers = count('buyers', 1, 5_000);
const concurrency = count('concurrency', 1, 200);
const warmup = count('warmup', 0, 5_000);
const quietWaitMs = count('quiet-wait', 0, 600) * 1000;
const apiProcesses =
  values['api-processes'] === undefined ? undefined : count('api-processes', 1, 64);
const until = values.until as Step;
if (!STEPS.includes(until)) {
  process.stderr.write(`--until must be one of ${STEPS.join(', ')}\n`);
  process.exit(2);
}
const measured = new Set<Step>(STEPS.slice(0, STEPS.indexOf(until) + 1));

const USER_AGENT = 'storefront-step-cost/1';
const STEP_TIMEOUT_MS = 30_000;
/**
 * Status reads per paid buyer in the estimate: what 10,000-buyer drops make. Since the order page
 * asks the API to hold its read for the download (`?wait=`), one: the runs of 2026-12-06
 * 22:37–22:53 read the order 1,801–1,874 times for as many paid buyers. (Polling every 500 ms it
 * was 2.2; on the page's backoff alone 1.9–2.5.) A held read costs what an immediate one does,
 * plus a timer and a map entry while it waits.
 */
const POLLS_PER_PAID_BUYER = 1;

const scenario = loadScenario(scenarioFileOf('drop'));
const drop = scenario.drop as DropSettings;
const log = (line: string) => process.stdout.write(`${line}\n`);
const dropOptions = dropStackOptions(drop);
const stack = await startStack({
  mongoUrl: values['mongo-url'] ?? process.env.MONGO_URL,
  redisUrl: values['redis-url'] ?? process.env.REDIS_URL,
  apiProcesses: apiProcesses ?? defaultApiProcesses(scenario),
  seed: scenario.seed,
  childNofile: requiredNofile(buyers + warmup + 1024),
  log,
  sandbox: dropOptions.sandbox,
  // Every buyer has an address of its own, but the warm-up and each step reuse them: the public
  // limit (100 a minute per address) would refuse the fourth step. The limiter still counts.
  env: { ...dropOptions.env, RATE_LIMIT_PUBLIC_PER_MIN: '1000000' },
});
let mongo: Connection | undefined;
let failed = false;
try {
  const db = await connectDropMongo(stack);
  mongo = db;
  const settings = await prepareDrop(db, stack, scenario);
  const productId = settings.productId as string;
  const username = scenario.mix.hotUsername;
  const api = new URL(stack.apiUrl);
  const sandboxUrl = new URL(stack.sandbox.url);
  const connection = (target: URL, address?: string) =>
    new Http1Connection({
      host: target.hostname,
      port: Number(target.port),
      headerLines:
        `Host: ${target.host}\r\nUser-Agent: ${USER_AGENT}\r\nAccept: application/json, text/html\r\n` +
        (address === undefined ? '' : `X-Forwarded-For: ${address}\r\n`),
      connectTimeoutMs: 10_000,
      responseTimeoutMs: STEP_TIMEOUT_MS,
      onOpen: () => undefined,
      onClose: () => undefined,
    });
  const expect = (step: string, status: number, wanted: number, body?: unknown) => {
    if (status !== wanted) {
      throw new Error(`${step}: answered ${status}, expected ${wanted} ${JSON.stringify(body)}`);
    }
  };

  /** Runs `op(i)` for i in [0, n) with `concurrency` in flight. */
  const run = async (n: number, op: (i: number, lane: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, n) }, async (_, lane) => {
        while (next < n) await op(next++, lane);
      }),
    );
  };
  const costs: StepCost[] = [];
  /** Measures one step over every buyer: quiet machine, snapshot, the step, `settle`, snapshot. */
  const measure = async (
    step: Step,
    op: (i: number, lane: number) => Promise<void>,
    settle?: () => Promise<void>,
  ) => {
    if (!measured.has(step)) return;
    if (quietWaitMs > 0) {
      const quiet = await waitForQuietCpu({ maxWaitMs: quietWaitMs });
      if (!quiet.quiet)
        log(`  (the CPU did not go quiet: ${Math.round(quiet.share * 100)} % busy)`);
    }
    const before = cpuSnapshot();
    const t0 = performance.now();
    await run(buyers, op);
    await settle?.();
    const cpu = processCpu(
      before,
      cpuSnapshot(),
      (performance.now() - t0) / 1000,
      availableParallelism(),
    );
    if (!cpu) throw new Error('CPU per process needs Linux /proc');
    const cost = stepCost(step, buyers, cpu);
    costs.push(cost);
    log(`  ${STEP_LABELS[step]}: ${cost.totalMs.toFixed(3)} ms per buyer (${cpu.wallSeconds} s)`);
  };

  // Warm-up: a whole journey for `warmup` buyers (JIT, pools, caches), not measured.
  const storefrontPath = requestPath(scenario.request.pathTemplate, username);
  const pagePath = requestPath(drop.pagePathTemplate, username);
  const lanes = Array.from({ length: concurrency }, () => connection(sandboxUrl));
  const journey = async (conn: Http1Connection, i: number) => {
    expect('storefront', (await conn.get(storefrontPath)).status, 200);
    const co = await checkoutOn(conn, username, productId, { email: `warm${i}@example.test` });
    expect('checkout', co.status, 201, co.body);
    return co.body;
  };
  log(`warming up with ${warmup} buyers`);
  await run(warmup, async (i, lane) => {
    const conn = connection(api, clientAddress(buyers + i, scenario.clients));
    try {
      const order = await journey(conn, i);
      await payOn(lanes[lane] as Http1Connection, {
        orderId: order.razorpay.orderId,
        keyId: order.razorpay.keyId,
        outcome: 'captured',
      });
    } finally {
      conn.close();
    }
  });

  const records: OrderRecord[] = [];
  const drained = async () => {
    const q = await waitForQuiet({
      mongo: db,
      sandbox: stack.sandbox,
      records,
      timeoutMs: 120_000,
      log,
    });
    if (!q.quiet) throw new Error(`payments did not drain: ${JSON.stringify(q.backlog)}`);
  };
  await drained();

  log(
    `${buyers} buyers, ${concurrency} at a time, ${stack.apiProcesses} API process(es); ` +
      `load average ${loadavg()[0]?.toFixed(2)}`,
  );
  const conns = Array.from({ length: buyers }, (_, i) =>
    connection(api, clientAddress(i, scenario.clients)),
  );
  const orders: Array<{ orderId: string; accessToken: string; keyId: string; gateway: string }> =
    [];
  const handlers: CheckoutSuccess[] = [];
  try {
    await measure('storefront', async (i) => {
      expect('storefront', (await (conns[i] as Http1Connection).get(storefrontPath)).status, 200);
    });
    await measure('page', async (i) => {
      expect('page', (await (conns[i] as Http1Connection).get(pagePath)).status, 200);
    });
    await measure('checkout', async (i) => {
      const co = await checkoutOn(conns[i] as Http1Connection, username, productId, {
        email: `buyer${i}@example.test`,
      });
      expect('checkout', co.status, 201, co.body);
      orders[i] = {
        orderId: co.body.orderId,
        accessToken: co.body.accessToken,
        keyId: co.body.razorpay.keyId,
        gateway: co.body.razorpay.orderId,
      };
      records.push({
        index: i,
        fate: 'captured',
        seller: 0,
        orderId: co.body.orderId,
        gatewayOrderId: co.body.razorpay.orderId,
        checkoutRetries: 0,
        paymentIds: [],
      });
    });
    await measure(
      'payment',
      async (i, lane) => {
        const o = orders[i] as (typeof orders)[number];
        const answer = await payOn(lanes[lane] as Http1Connection, {
          orderId: o.gateway,
          keyId: o.keyId,
          outcome: 'captured',
        });
        if (!('razorpay_payment_id' in answer)) throw new Error(`payment ${i} was not captured`);
        handlers[i] = answer;
      },
      drained,
    );
    await measure('callback', async (i) => {
      const o = orders[i] as (typeof orders)[number];
      const cb = await callbackOn(
        conns[i] as Http1Connection,
        o.orderId,
        o.accessToken,
        handlers[i] as CheckoutSuccess,
      );
      expect('callback', cb.status, 200, cb.body);
    });
    await measure('status', async (i) => {
      const o = orders[i] as (typeof orders)[number];
      const st = await statusOn(conns[i] as Http1Connection, o.orderId, o.accessToken);
      expect('status', st.status, 200, st.body);
      if (!st.body.download) throw new Error(`order ${o.orderId} has no download`);
    });
  } finally {
    for (const c of [...conns, ...lanes]) c.close();
  }

  // buyerPlan's shares: the abandoned and the half of the failed who give up are not paid.
  const mix = {
    buyers: maxVus(scenario),
    checkoutShare: drop.checkoutShare,
    paidShare: 1 - drop.abandonShare - drop.failShare / 2,
    pollsPerPaidBuyer: POLLS_PER_PAID_BUYER,
    spikeSeconds: totalStageSeconds(scenario),
    cores: availableParallelism(),
  };
  log('');
  log(
    `CPU per buyer step (ms per buyer, by process; "buyers + stand-ins" is this process: the ` +
      `buyers' client, the Razorpay sandbox, the S3 stand-in)`,
  );
  log(stepCostTable(costs));
  if (measured.size === STEPS.length) {
    for (const line of estimateLines(dropEstimate(costs, mix), mix)) log(line);
  }
  log(`load average at the end ${loadavg()[0]?.toFixed(2)}`);
} catch (err) {
  failed = true;
  process.stderr.write(
    `buyer-steps bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
} finally {
  await mongo?.close().catch(() => undefined);
  await stack.stop();
}
process.exit(failed ? 1 : 0);
