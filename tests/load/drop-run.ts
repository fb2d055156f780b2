import { Types, type Connection } from 'mongoose';
import {
  createLogger,
  createMongoConnection,
  orderModel,
  productModel,
  type Order,
} from '@storefront/shared';
import { has, parsePrometheusText, sumOf, sumsBy } from '@storefront/test-support';
import { waitForQuiet } from '../chaos/quiet.ts';
import { collectFacts, judge, type Figures } from '../chaos/verify.ts';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../scripts/seed-demo.ts';
import { buyersPay, revisionTitle } from './drop-model.js';
import { stepOf, type DropSummary, type StepLatency } from './drop-runner.ts';
import { result, type Check } from './load-summary.js';
import { loopFigures, loopUtilizationIn, type LoopFigures } from './loop-monitor.ts';
import { MetricsSampler } from './metrics-sampler.ts';
import type { DropSettings, Scenario } from './scenario.ts';
import { histogramQuantile } from './server-metrics.ts';
import type { Stack } from './stack.ts';

// The drop scenario's side of the orchestrator: the dropped product before the load, the queue
// backlog while it runs, and afterwards the drain, the chaos suite's verifier (lost / applied
// twice / double deliveries) and the figures and thresholds only the drop has.

const WEBHOOK_ROUTE = '/api/v1/webhooks/razorpay/:account';
const QUEUE_STATES = new Set(['waiting', 'active', 'prioritized']);

/** What the sandbox and the API and worker processes need for the drop. */
export function dropStackOptions(drop: DropSettings): {
  sandbox: { checkoutDeliver: { times: number; shuffle: true } };
  env: Record<string, string>;
} {
  return {
    sandbox: { checkoutDeliver: { times: drop.webhookCopies, shuffle: true } },
    env: { RATE_LIMIT_WEBHOOK_PER_MIN: String(drop.webhookRateLimitPerMin) },
  };
}

/** A connection to the stack's database for the drop's set-up and checks. */
export function connectDropMongo(stack: Stack): Promise<Connection> {
  return createMongoConnection({
    url: stack.mongoUrl,
    poolSize: 4,
    logger: createLogger({ level: 'error', service: 'load-test-drop' }),
  });
}

/**
 * Adds the dropped product to the hot creator (with a file, so paid orders get a download; its
 * title at revision 0) and sets the sandbox's order latency. Returns the scenario's drop section
 * completed with the product id and the creator's sign-in.
 */
export async function prepareDrop(
  mongo: Connection,
  stack: Stack,
  scenario: Scenario,
): Promise<DropSettings> {
  const drop = scenario.drop as DropSettings;
  const creator = await mongo
    .collection('creators')
    .findOne({ username: scenario.mix.hotUsername }, { projection: { _id: 1 } });
  if (!creator) throw new Error(`the drop creator ${scenario.mix.hotUsername} was not seeded`);
  const productId = new Types.ObjectId();
  await productModel(mongo).create({
    _id: productId,
    creatorId: creator._id,
    title: revisionTitle(drop.productTitle, 0),
    description: 'The drop: available while it lasts.',
    price: drop.productPrice,
    currency: 'INR',
    status: 'active',
    position: -1,
    file: {
      key: `products/${String(productId)}/drop.zip`,
      name: 'drop.zip',
      contentType: 'application/zip',
      size: 1024,
      uploadedAt: new Date(),
    },
  });
  if (drop.sandboxLatencyMs > 0) {
    stack.sandbox.injectFault({
      latencyMs: drop.sandboxLatencyMs,
      count: Number.MAX_SAFE_INTEGER,
      paths: ['/v1/orders'],
    });
  }
  return {
    ...drop,
    productId: String(productId),
    creator: { email: DEMO_EMAIL, password: DEMO_PASSWORD },
  };
}

/**
 * The worker's BullMQ backlog (waiting + active + prioritized jobs), sampled once a second, and
 * with it the worker's event loop utilization (the monitor is the worker's only scraper).
 */
export class BacklogMonitor {
  private readonly samples: Array<{ at: number; jobs: number; loop: number | undefined }> = [];
  private readonly t0 = Date.now();
  private readonly sampler: MetricsSampler;

  constructor(stack: Stack) {
    this.sampler = new MetricsSampler(
      () => stack.workerMetrics(),
      (text, at) => {
        const jobs = sumOf(parsePrometheusText(text), 'queue_jobs', {
          state: (s) => QUEUE_STATES.has(s),
        });
        this.samples.push({ at, jobs, loop: loopUtilizationIn(text) });
      },
      0,
    );
  }

  start(): void {
    this.sampler.start();
  }

  stop(): void {
    this.sampler.stop();
  }

  /** The worker's event loop utilization in the samples taken from `from` to `to` (epoch ms). */
  loopFigures(from: number, to: number): LoopFigures {
    const values: number[] = [];
    for (const s of this.samples) {
      if (s.at > from && s.at <= to && s.loop !== undefined) values.push(s.loop);
    }
    return loopFigures(values);
  }

  /** Largest backlog, when (s after start), and the time from that peak to the first empty reading. */
  figures(): {
    max: number;
    maxAtSeconds: number | null;
    drainSeconds: number | null;
    samples: number;
  } {
    let peak: { at: number; jobs: number } | undefined;
    for (const s of this.samples) if (peak === undefined || s.jobs > peak.jobs) peak = s;
    if (peak === undefined) return { max: 0, maxAtSeconds: null, drainSeconds: null, samples: 0 };
    const empty = this.samples.find((s) => s.at > peak.at && s.jobs === 0);
    return {
      max: peak.jobs,
      maxAtSeconds: round((peak.at - this.t0) / 1000),
      drainSeconds:
        peak.jobs === 0 ? 0 : empty === undefined ? null : round((empty.at - peak.at) / 1000),
      samples: this.samples.length,
    };
  }
}

/** The drop's own figures, beside the common ones (client summary, server metrics). */
export interface DropFigures {
  buyers: number;
  plans: Record<string, number>;
  storefrontJson: StepLatency;
  storefrontPage: StepLatency;
  /** TCP connect of the buyers' storefront connections (client side; part of the JSON read). */
  connect: StepLatency | null;
  checkout: StepLatency;
  /** Latency added to the sandbox's order API (the checkout includes one such call). */
  sandboxLatencyMs: number;
  callback: StepLatency;
  /**
   * How the API ended the Checkout callbacks (`checkout_payment_callbacks_total` by outcome):
   * `deferred` when a busy API left the check to the worker, `paid` when the callback applied the
   * capture itself (it came before the webhooks were applied), `already_paid` when a webhook had,
   * `pending`, `failed`…
   */
  callbackOutcomes: Record<string, number>;
  /** Server-side (API histogram) time to accept a webhook: verify, inbox, enqueue. */
  webhookAcceptMs: { count: number; p50: number | null; p95: number | null; p99: number | null };
  /** Capture answered by the sandbox → the worker recorded the delivery (download available). */
  captureToDownloadMs: StepLatency;
  /** The same, as buyers polling on the order page's schedule saw it. */
  captureToDownloadSeenMs: StepLatency;
  paid: number;
  downloadsNotSeen: number;
  status5xx: { client: number; server: number; byStep: Record<string, number> };
  mongoPool: {
    api: { checkedOutMax: number; waitQueueMax: number };
    worker: { checkedOutMax: number; waitQueueMax: number } | null;
  };
  queue: {
    backlogMax: number;
    backlogMaxAtSeconds: number | null;
    drainSeconds: number | null;
    samples: number;
  };
  /** Waiting after the buyers for every webhook, inbox event and delivery to finish. */
  quiet: { reached: boolean; ms: number };
  /**
   * The commands MongoDB ran while the buyers ran (serverStatus `metrics.commands`, read when the
   * generator started and when it exited), by name, busiest first, and per paid order; null where
   * the server does not report them.
   */
  mongoCommands: {
    total: number;
    byName: Record<string, number>;
    perPaidOrder: number | null;
  } | null;
  staleness: {
    readsChecked: number;
    /** Reads per revision shown (-1: none). */
    revisionsSeen: Record<string, number>;
    stale: number;
    edits: number;
    editFailures: number;
  };
  verifier: { figures: Figures; violations: string[] };
  /**
   * What the worker did, from its counters at the end (a fresh stack: they cover the run): webhook
   * events processed by outcome (`webhooks_processed_total`, all event types), orders checked with
   * Razorpay by outcome (`reconciliation_orders_total`: deferred Checkout callbacks whose check
   * found the order still open, and any reconciliation run), Razorpay calls and deliveries. The
   * `paid` events against the `marked_paid` checks say which path paid the orders. Null without
   * the worker's metrics.
   */
  worker: {
    webhookEvents: Record<string, number>;
    ordersChecked: Record<string, number>;
    razorpayCalls: number;
    deliveries: number;
  } | null;
}

/** What the end of a drop established, before the metrics are read. */
export interface DropVerification {
  quiet: { quiet: boolean; ms: number };
  verdict: ReturnType<typeof judge>;
  /** Capture answered → delivery recorded, ms, per paid order that was delivered. */
  captureToDownload: number[];
  /** Paid orders not delivered. */
  undelivered: number;
}

/**
 * After the buyers: waits for the system to go quiet (every webhook, inbox event and delivery
 * finished), runs the chaos suite's verifier on every order, and reads the delivery times.
 */
export async function verifyDrop(input: {
  mongo: Connection;
  stack: Stack;
  client: DropSummary;
  backlog: BacklogMonitor;
  log: (line: string) => void;
}): Promise<DropVerification> {
  const { mongo, stack, client, log } = input;
  const records = client.drop.records;
  const quiet = await waitForQuiet({
    mongo,
    sandbox: stack.sandbox,
    records,
    timeoutMs: 120_000,
    log,
  });
  input.backlog.stop();
  const facts = await collectFacts({
    mongo,
    sandbox: stack.sandbox,
    records,
    poisoned: [],
    alerts: [],
    workerLogFiles: [stack.workerLogFile],
  });
  const verdict = judge(facts);

  const orderIds = records.flatMap((r) => (r.orderId ? [r.orderId] : []));
  const delivered = await orderModel(mongo)
    .find({ _id: { $in: orderIds }, 'delivery.status': 'delivered' }, { 'delivery.deliveredAt': 1 })
    .lean<Array<Pick<Order, '_id' | 'delivery'>>>()
    .exec();
  const deliveredAt = new Map(
    delivered.map((o) => [String(o._id), o.delivery?.deliveredAt?.getTime()]),
  );
  const captureToDownload: number[] = [];
  let undelivered = 0;
  for (const r of records) {
    if (r.capturedAt === undefined) continue;
    const at = r.orderId ? deliveredAt.get(r.orderId) : undefined;
    if (at === undefined) undelivered++;
    else captureToDownload.push(at - r.capturedAt);
  }
  return { quiet: { quiet: quiet.quiet, ms: quiet.ms }, verdict, captureToDownload, undelivered };
}

/** The drop's figures and thresholds from the verification and the metrics read after it. */
export function dropFigures(input: {
  scenario: Scenario;
  client: DropSummary;
  verified: DropVerification;
  apiMetricsText: string;
  workerMetricsText: string | undefined;
  backlog: BacklogMonitor;
  /** Commands MongoDB ran during the load, busiest first (`commandsBetween`); undefined: unknown. */
  mongoCommands?: ReadonlyArray<readonly [string, number]>;
}): { figures: DropFigures; thresholds: Check[] } {
  const { client, verified } = input;
  const { quiet, verdict } = verified;
  const drop = input.scenario.drop as DropSettings;
  const api = parsePrometheusText(input.apiMetricsText);
  const worker =
    input.workerMetricsText === undefined
      ? undefined
      : parsePrometheusText(input.workerMetricsText);
  const buckets = new Map<number, number>();
  for (const b of api) {
    if (b.name !== 'http_request_duration_seconds_bucket' || b.labels.route !== WEBHOOK_ROUTE) {
      continue;
    }
    const le = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + b.value);
  }
  const webhookMs = (q: number) => {
    const v = histogramQuantile(q, buckets);
    return v === null ? null : round(v * 1000);
  };
  const server5xx = sumOf(api, 'http_request_duration_seconds_count', {
    status: (v) => v.startsWith('5'),
  });
  const queue = input.backlog.figures();
  const figures: DropFigures = {
    buyers: client.drop.buyers,
    plans: client.drop.plans,
    storefrontJson: client.drop.storefrontJson,
    storefrontPage: client.drop.storefrontPage,
    connect: client.drop.connect ?? null,
    checkout: client.drop.checkout,
    sandboxLatencyMs: drop.sandboxLatencyMs,
    callback: client.drop.callback,
    // Summed over API processes, largest first.
    callbackOutcomes: byOutcome(api, 'checkout_payment_callbacks_total', 'outcome'),
    webhookAcceptMs: {
      count: sumOf(api, 'http_request_duration_seconds_count', { route: WEBHOOK_ROUTE }),
      p50: webhookMs(0.5),
      p95: webhookMs(0.95),
      p99: webhookMs(0.99),
    },
    captureToDownloadMs: stepOf(verified.captureToDownload, verified.undelivered),
    captureToDownloadSeenMs: client.drop.captureToDownloadSeen,
    paid: client.drop.paid,
    downloadsNotSeen: client.drop.downloadsNotSeen,
    status5xx: {
      client: client.requests.status5xx,
      server: server5xx,
      byStep: client.drop.status5xxByStep,
    },
    mongoPool: {
      api: {
        checkedOutMax: sumOf(api, 'mongodb_pool_checked_out_max'),
        waitQueueMax: sumOf(api, 'mongodb_pool_wait_queue_max'),
      },
      worker:
        worker && has(worker, 'mongodb_pool_checked_out_max')
          ? {
              checkedOutMax: sumOf(worker, 'mongodb_pool_checked_out_max'),
              waitQueueMax: sumOf(worker, 'mongodb_pool_wait_queue_max'),
            }
          : null,
    },
    queue: {
      backlogMax: queue.max,
      backlogMaxAtSeconds: queue.maxAtSeconds,
      drainSeconds: queue.drainSeconds,
      samples: queue.samples,
    },
    quiet: { reached: quiet.quiet, ms: quiet.ms },
    mongoCommands: mongoCommandFigures(input.mongoCommands, client.drop.paid),
    staleness: {
      readsChecked: client.drop.readsChecked,
      revisionsSeen: client.drop.revisionsSeen,
      stale: client.drop.staleReads,
      edits: client.drop.edits.length,
      editFailures: client.drop.editFailures,
    },
    verifier: { figures: verdict.figures, violations: verdict.violations },
    worker: worker ? workerFigures(worker) : null,
  };
  const t = drop.thresholds;
  const v = verdict.figures;
  // A scenario in which nobody pays by design has no downloads to time, and must see no payment.
  const paying = buyersPay(drop);
  const thresholds: Check[] = [
    result('checkout p99 (ms)', '<', t.checkoutP99Ms, figures.checkout.p99),
    ...(paying
      ? [
          result(
            'capture → download available p99 (ms)',
            '<',
            t.captureToDownloadP99Ms,
            figures.captureToDownloadMs.p99,
          ),
        ]
      : []),
    result('stale storefront reads', '<=', t.maxStaleReads, figures.staleness.stale),
    result('creator edits acknowledged', '>', 0, figures.staleness.edits),
    result('creator edits failed', '<=', 0, figures.staleness.editFailures),
    paying
      ? result('paid buyers', '>', 0, figures.paid)
      : result('paid buyers (a scenario without payments)', '<=', 0, figures.paid),
    result('lost (captured, not paid here)', '<=', t.maxLost, v.lost),
    result('applied twice', '<=', t.maxAppliedTwice, v.appliedTwice),
    result('double deliveries', '<=', t.maxDoubleDeliveries, v.doubleDeliveries),
    result('verifier violations', '<=', 0, verdict.violations.length),
    result('quiet after the drop (0 = no)', '>', 0, quiet.quiet ? 1 : 0),
  ];
  return { figures, thresholds };
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : n;
}

/** Label values of a counter with their sums, largest first. */
function byOutcome(
  samples: ReturnType<typeof parsePrometheusText>,
  name: string,
  label: string,
): Record<string, number> {
  return Object.fromEntries([...sumsBy(samples, name, label)].sort((a, b) => b[1] - a[1]));
}

function workerFigures(worker: ReturnType<typeof parsePrometheusText>): DropFigures['worker'] {
  return {
    webhookEvents: byOutcome(worker, 'webhooks_processed_total', 'outcome'),
    ordersChecked: byOutcome(worker, 'reconciliation_orders_total', 'outcome'),
    razorpayCalls: sumOf(worker, 'razorpay_calls_total'),
    deliveries: sumOf(worker, 'deliveries_total'),
  };
}

/** The drop's MongoDB command figures from the commands of the load and the orders paid. */
function mongoCommandFigures(
  commands: ReadonlyArray<readonly [string, number]> | undefined,
  paid: number,
): DropFigures['mongoCommands'] {
  if (commands === undefined) return null;
  const total = commands.reduce((a, [, n]) => a + n, 0);
  return {
    total,
    byName: Object.fromEntries(commands),
    perPaidOrder: paid > 0 ? round(total / paid) : null,
  };
}
