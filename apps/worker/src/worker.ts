import type { Worker } from 'bullmq';
import {
  createFieldCipher,
  createLogger,
  createRepositories,
  createMetricsRegistry,
  createMongoConnection,
  mongoOptionsFromConfig,
  ensureIndexes,
  createProducers,
  batchedEnqueues,
  batched,
  publishOrderNotices,
  PaymentOutcomes,
  RazorpayCredentialStore,
  waitForRedisReady,
  watchLoopLoad,
  type Config,
  type LoopLoad,
  type Logger,
  createRedis,
  redisTargetFromConfig,
} from '@storefront/shared';
import type { WorkerDeps } from './deps.ts';
import { startHealthServer } from './health-server.ts';
import { createAlerter } from './alerts/alert.service.ts';
import { registerMonitoring } from './alerts/register-monitoring.ts';
import {
  createDeliveryService,
  deliverPaidOrders,
  registerDeliveries,
} from './deliveries/register-deliveries.ts';
import { registerSweeper } from './sweeper/register-sweeper.ts';
import { createWebhookServices, registerWebhooks } from './webhooks/register-webhooks.ts';
import { registerReconciliation } from './reconciliation/register-reconciliation.ts';
import type { SupervisedWorker } from './worker-supervisor.ts';

/** How often the worker measures how busy its event loop is (the batch window follows it). */
const LOOP_SAMPLE_MS = 250;
/** At or above this share of busy time the worker is in a burst: the short window. */
const BUSY_LOOP = 0.9;

/**
 * The worker's batch window: WORKER_MONGO_BATCH_WINDOW_MS while its event loop is busy (a burst:
 * concurrent jobs fill batches on their own, and waiting longer only delays every job), the
 * longer WORKER_MONGO_SLACK_BATCH_WINDOW_MS while it has slack (events arriving apart, which
 * would otherwise read and write alone; docs/performance.md, "Webhooks").
 */
export function workerBatchWindow(
  config: Pick<Config, 'WORKER_MONGO_BATCH_WINDOW_MS' | 'WORKER_MONGO_SLACK_BATCH_WINDOW_MS'>,
  loop: Pick<LoopLoad, 'utilization'>,
): number | (() => number) {
  const busy = config.WORKER_MONGO_BATCH_WINDOW_MS;
  const slack = config.WORKER_MONGO_SLACK_BATCH_WINDOW_MS;
  if (slack <= busy) return busy;
  return () => (loop.utilization() >= BUSY_LOOP ? busy : slack);
}

export interface RunningWorker {
  /** Base URL of the health/metrics server. */
  url: string;
  deps: WorkerDeps;
  /** Graceful stop: stop taking jobs, let active jobs finish, close connections. */
  close: () => Promise<void>;
}

/**
 * The worker's composition root: opens connections, starts every BullMQ worker and job
 * scheduler, and the health server. Used by the entry point and by tests.
 */
export async function startWorker(
  config: Config,
  opts: { logger?: Logger } = {},
): Promise<RunningWorker> {
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL, service: 'worker' });
  const metrics = createMetricsRegistry({ service: 'worker' });
  const closers: Array<() => Promise<void> | void> = [];
  const mongo = await createMongoConnection({
    ...mongoOptionsFromConfig(config),
    logger,
    metrics,
  });
  await ensureIndexes(mongo);
  const redisTarget = redisTargetFromConfig(config);
  const queueRedis = createRedis(redisTarget, 'queue', logger);
  const redis = createRedis(redisTarget, 'cache', logger, { keyPrefix: config.REDIS_KEY_PREFIX });
  await Promise.all([waitForRedisReady(redis, 3_000), waitForRedisReady(queueRedis, 3_000)]);
  const producers = createProducers(queueRedis, config.QUEUE_PREFIX);
  // Jobs running at once make the same few calls; they share commands (see BatchOptions), waiting
  // longer for company while the event loop has slack (workerBatchWindow).
  const loop = watchLoopLoad(LOOP_SAMPLE_MS);
  const batch = {
    windowMs: workerBatchWindow(config, loop),
    maxSize: config.MONGO_BATCH_MAX,
  };
  const repos = createRepositories(mongo, batch);
  const enqueue = batchedEnqueues(producers, batch);
  const deliveries = createDeliveryService({
    logger,
    metrics,
    repos,
    // Deliveries in the same batch window share one PUBLISH.
    announce: batched(async (orderIds: readonly string[]) => {
      await publishOrderNotices(redis, config.REDIS_KEY_PREFIX, orderIds);
      return orderIds.map(() => undefined);
    }, batch),
  });
  const deps: WorkerDeps = {
    config,
    logger,
    metrics,
    mongo,
    repos,
    queueRedis,
    redis,
    producers,
    payments: new PaymentOutcomes({
      orders: repos.orders,
      transactions: repos.transactions,
      logger,
      deliver: deliverPaidOrders({
        service: deliveries,
        enqueue: enqueue.delivery,
      }),
    }),
    credentials: new RazorpayCredentialStore({
      accounts: repos.razorpayAccounts,
      config,
      cipher: createFieldCipher(config),
    }),
    alerter: createAlerter({ logger, url: config.ALERT_WEBHOOK_URL, service: 'worker' }),
    onClose: (fn) => closers.push(fn),
  };

  // --- processors and schedulers ---
  const webhooks = createWebhookServices(deps);
  const reconciliation = registerReconciliation(deps);
  const workers = [
    registerWebhooks(deps, webhooks),
    registerDeliveries(deps, deliveries),
    registerSweeper(deps, webhooks.failures).worker,
    reconciliation.worker,
    reconciliation.orderChecks,
  ] as Array<SupervisedWorker<Worker<unknown>>>;
  registerMonitoring(deps, workers);

  let shuttingDown = false;
  const health = await startHealthServer({
    host: config.WORKER_HOST,
    port: config.WORKER_HEALTH_PORT,
    mongo,
    redis,
    metrics,
    metricsToken: config.METRICS_TOKEN,
    isShuttingDown: () => shuttingDown,
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      // Workers close first (waiting for active jobs), then connections.
      for (const fn of closers.reverse()) {
        try {
          await fn();
        } catch (err) {
          logger.error('error during shutdown', { err });
        }
      }
      loop.stop();
      await producers.close();
      await health.close();
      await Promise.allSettled([queueRedis.quit(), redis.quit()]);
      await mongo.close();
    })();
    return closing;
  };
  return { url: health.url, deps, close };
}
