import { Queue, Worker } from 'bullmq';
import {
  QUEUES,
  SCHEDULERS,
  type OrderCheckJobData,
  type ReconciliationJobData,
  throttledErrorLog,
} from '@storefront/shared';
import type { WorkerDeps } from '../deps.ts';
import { keepScheduled } from '../keep-scheduled.ts';
import { supervisedWorker, type SupervisedWorker } from '../worker-supervisor.ts';
import { orderCheckProcessor, type OrderCheckJobResult } from './order-check-job.ts';
import { checkContext } from './order-check.ts';
import { createRazorpayClients } from './razorpay-clients.ts';
import { reconciliationMetrics, type RunResult } from './reconciliation.metrics.ts';
import type { ReconciliationDeps } from './reconciliation.deps.ts';
import { runReconciliation } from './reconciliation.service.ts';

/** What a finished reconciliation job keeps as its return value (visible in Bull Board). */
export interface ReconciliationJobResult {
  result: RunResult;
  checked: number;
  leftForNextRun: number;
  expiredCreated: number;
  /** ISO times: operators (and tests) can see that runs never overlap. */
  startedAt: string;
  finishedAt: string;
}

/**
 * Order checks one worker process runs at once. Most find the order settled (one read); the
 * rest wait for the Razorpay call gate, which spaces calls across processes.
 */
const ORDER_CHECK_CONCURRENCY = 20;

/**
 * Starts the reconciliation job scheduler (every RECONCILE_INTERVAL_MS) and its BullMQ worker.
 * Runs never overlap across processes: the queue's global concurrency is 1, and the run itself
 * holds a Redis lock (which also covers a job BullMQ re-runs after a stall, and direct calls).
 * Also starts the worker of `order-checks`: single orders checked the same way, a few seconds
 * after a Checkout callback the API deferred.
 */
export function registerReconciliation(deps: WorkerDeps): {
  queue: Queue;
  worker: SupervisedWorker<Worker<ReconciliationJobData, ReconciliationJobResult>>;
  orderChecks: SupervisedWorker<Worker<OrderCheckJobData, OrderCheckJobResult>>;
} {
  const { config, queueRedis } = deps;
  const logger = deps.logger.child({ module: 'reconciliation' });
  const prefix = config.QUEUE_PREFIX;
  // Registered now rather than at the first run, so a scrape before it already shows them (the
  // "no completed run" alert reads the last-success gauge).
  reconciliationMetrics(deps.metrics);
  const queue = new Queue<ReconciliationJobData>(QUEUES.reconciliation, {
    connection: queueRedis,
    prefix,
  });
  queue.on('error', throttledErrorLog(logger, 'reconciliation queue'));
  // A Redis that restarted empty, or a failover, can lose the schedule and the concurrency limit:
  // keepScheduled restores both.
  const stopScheduling = keepScheduled(
    queueRedis,
    logger,
    'reconciliation',
    async () => {
      await queue.setGlobalConcurrency(1);
      // Idempotent: every worker process upserts the same scheduler id, so one job per interval.
      await queue.upsertJobScheduler(
        SCHEDULERS.reconciliation,
        { every: config.RECONCILE_INTERVAL_MS },
        {
          name: 'reconcile',
          data: {},
          // A failed run is not retried: the next scheduled run does the same work.
          opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    },
    config.WORKER_SCHEDULE_CHECK_MS,
  );

  const runDeps: ReconciliationDeps = {
    config,
    logger,
    metrics: deps.metrics,
    orders: deps.repos.orders,
    transactions: deps.repos.transactions,
    redis: deps.redis,
    payments: deps.payments,
    razorpay: createRazorpayClients(config, deps.credentials),
  };
  const shutdown = new AbortController();
  const worker = supervisedWorker(deps, queue, () => {
    const w = new Worker<ReconciliationJobData, ReconciliationJobResult>(
      QUEUES.reconciliation,
      async () => {
        const summary = await runReconciliation(runDeps, { signal: shutdown.signal });
        return {
          result: summary.result,
          checked: summary.checked,
          leftForNextRun: summary.leftForNextRun,
          expiredCreated: summary.expiredCreated,
          startedAt: summary.startedAt.toISOString(),
          finishedAt: summary.finishedAt.toISOString(),
        };
      },
      { connection: queueRedis, prefix, concurrency: 1 },
    );
    w.on('error', throttledErrorLog(logger, 'reconciliation worker'));
    w.on('failed', (job, err) =>
      logger.error('reconciliation job failed', { jobId: job?.id, err }),
    );
    return w;
  });

  const orderChecks = supervisedWorker(deps, deps.producers.orderChecks, () => {
    const w = new Worker<OrderCheckJobData, OrderCheckJobResult>(
      QUEUES.orderChecks,
      // Their own gate: one check per deferred callback, which asked Razorpay in the request
      // before (no gate at all), must not queue behind the runs' slow, steady rate.
      orderCheckProcessor(() =>
        checkContext(runDeps, shutdown.signal, {
          key: 'razorpay:gate:order-checks',
          maxCallsPerSecond: config.ORDER_CHECK_MAX_CALLS_PER_SECOND,
        }),
      ),
      { connection: queueRedis, prefix, concurrency: ORDER_CHECK_CONCURRENCY },
    );
    w.on('error', throttledErrorLog(logger, 'order-check worker'));
    w.on('failed', (job, err) =>
      logger.warn('order check failed', {
        jobId: job?.id,
        attemptsMade: job?.attemptsMade,
        err,
      }),
    );
    return w;
  });

  deps.onClose(async () => {
    stopScheduling();
    // Stop the active run between orders instead of waiting out a backoff pause.
    shutdown.abort();
    await Promise.all([worker.close(), orderChecks.close()]);
    await queue.close();
  });
  return { queue, worker, orderChecks };
}
