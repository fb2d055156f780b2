import type { Queue, Worker } from 'bullmq';
import {
  getOrCreateMetric,
  promClient,
  type Logger,
  type MetricsRegistry,
  withTimeout,
} from '@storefront/shared';
import type { WorkerDeps } from './deps.ts';

/** A BullMQ worker that is replaced when it stops taking its queue's jobs. */
export interface SupervisedWorker<W extends Worker = Worker> {
  /** The worker taking the queue's jobs now. */
  current(): W;
  /** Calls `fn` with the current worker now and with each worker that replaces it. */
  onStart(fn: (worker: W) => void): void;
  /** Stops supervising and closes the current worker (its active jobs finish first). */
  close(): Promise<void>;
}

export interface SuperviseOptions<W extends Worker> {
  /** A handle to the queue the worker takes jobs from (for reading its state only). */
  queue: Queue;
  /** Makes a new worker for the queue, with its listeners. */
  create: () => W;
  /** How often the queue is looked at (WORKER_SCHEDULE_CHECK_MS). */
  checkEveryMs: number;
  /**
   * How long the same job must stay waiting, while this worker is idle and started nothing, before
   * the worker is replaced. At least one check interval.
   */
  stuckAfterMs: number;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Called after each look at the queue (tests wait for checks with it). */
  onChecked?: () => void;
}

/**
 * An idle BullMQ worker is not woken when the queue's global concurrency frees: it took such a job
 * about 0.55 s later (measured twice), and looks again at the latest when its blocking read times
 * out (drainDelay, 5 s). A job waiting shorter than three of those is no sign of a stopped worker.
 */
const MIN_STUCK_AFTER_MS = 15_000;

/** A replaced worker gets this long to close; a fetch that never settles must not pin shutdown. */
const CLOSE_REPLACED_MS = 10_000;

/**
 * Keeps a BullMQ worker taking its queue's jobs. After a Redis Cluster failover a worker's fetch
 * loop can stop for good without an error (seen with BullMQ 6.7.0 on ioredis Cluster: the
 * reconciliation runs stopped in both worker processes while the due run waited, re-scheduled
 * and untaken, and the workers' connections sat idle). Every `checkEveryMs` this looks at the
 * queue. When the same job has been waiting for `stuckAfterMs` while this worker had no job in
 * progress and started none, and the queue is neither paused nor at its global concurrency, the
 * worker is replaced by a new one from `create` (logged as an error, counted in
 * `queue_worker_replaced_total{queue}`); the old one is force-closed in the background.
 * A healthy idle worker takes a takeable job at once, or at its next blocking read (5 s) where it
 * missed the wake-up, so a replacement follows a worker that stopped; a needless one would cost a
 * reconnect, never a job: the job waits in Redis for whichever worker takes it next.
 */
export function superviseWorker<W extends Worker>(opts: SuperviseOptions<W>): SupervisedWorker<W> {
  const { queue, logger } = opts;
  const replaced = getOrCreateMetric(
    opts.metrics,
    'queue_worker_replaced_total',
    () =>
      new promClient.Counter({
        name: 'queue_worker_replaced_total',
        help: 'BullMQ workers this process replaced because they stopped taking waiting jobs, by queue',
        labelNames: ['queue'],
        registers: [opts.metrics],
      }),
  ).labels({ queue: queue.name });
  replaced.inc(0);

  const listeners: Array<(worker: W) => void> = [];
  // Jobs this worker took and has not finished, by id. A job whose lock was lost may never report
  // its end here, so before judging, ids Redis no longer holds active are dropped.
  const running = new Set<string>();
  let lastStartAt = 0;
  const start = (): W => {
    const w = opts.create();
    running.clear();
    lastStartAt = 0;
    w.on('active', (job) => {
      if (w !== worker) return;
      if (job.id !== undefined) running.add(job.id);
      lastStartAt = Date.now();
    });
    const settled = (job: { id?: string } | undefined): void => {
      if (w === worker && job?.id !== undefined) running.delete(job.id);
    };
    w.on('completed', settled);
    w.on('failed', settled);
    for (const fn of listeners) fn(w);
    return w;
  };
  let worker = start();
  const closingOld = new Set<Promise<void>>();

  // The waiting job being watched: its id and when this supervisor first saw it waiting.
  let watched: { id: string; since: number } | undefined;

  const stuck = async (): Promise<{ jobId: string; waitedMs: number } | undefined> => {
    // Jobs this worker could not take now: the watch starts again once it could.
    const blocked = async (): Promise<boolean> => {
      // Busy while one job it took is still active: the rest are looked at once that one ends.
      for (const jobId of running) {
        if ((await queue.getJobState(jobId)) === 'active') return true;
        running.delete(jobId);
      }
      if (await queue.isPaused()) return true;
      const limit = await queue.getGlobalConcurrency();
      return limit !== null && (await queue.getActiveCount()) >= limit;
    };
    const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
    const id = oldest?.id;
    if (id === undefined || (await blocked())) {
      watched = undefined;
      return undefined;
    }
    const now = Date.now();
    if (watched?.id !== id) {
      watched = { id, since: now };
      return undefined;
    }
    if (now - watched.since < opts.stuckAfterMs || lastStartAt >= watched.since) return undefined;
    return { jobId: id, waitedMs: now - watched.since };
  };

  const replace = (why: { jobId: string; waitedMs: number }): void => {
    const old = worker;
    logger.error('worker stopped taking jobs: replaced by a new one', {
      queue: queue.name,
      ...why,
    });
    replaced.inc();
    watched = undefined;
    worker = start();
    const closing = withTimeout(old.close(true), CLOSE_REPLACED_MS)
      .catch((err: unknown) => {
        logger.warn('replaced worker did not close', { queue: queue.name, err });
      })
      .finally(() => closingOld.delete(closing));
    closingOld.add(closing);
  };

  let checking: Promise<void> | undefined;
  let stopped = false;
  const check = (): void => {
    checking ??= stuck()
      .then((why) => {
        if (why && !stopped) replace(why);
      })
      .catch((err: unknown) => {
        logger.warn('could not check a worker', { queue: queue.name, err });
      })
      .finally(() => {
        checking = undefined;
        opts.onChecked?.();
      });
  };
  const timer = setInterval(check, opts.checkEveryMs);
  timer.unref();

  return {
    current: () => worker,
    onStart: (fn) => {
      listeners.push(fn);
      fn(worker);
    },
    close: async () => {
      stopped = true;
      clearInterval(timer);
      // A check in flight is not awaited: with Redis down it would wait for Redis.
      await Promise.all([worker.close(), ...closingOld]);
    },
  };
}

/**
 * `superviseWorker` with the worker process's settings: checks every WORKER_SCHEDULE_CHECK_MS and
 * replaces a worker after two of them, 15 s at least. The caller closes it at shutdown (`deps.onClose`).
 */
export function supervisedWorker<W extends Worker>(
  deps: Pick<WorkerDeps, 'config' | 'logger' | 'metrics'>,
  queue: Queue,
  create: () => W,
): SupervisedWorker<W> {
  const checkEveryMs = deps.config.WORKER_SCHEDULE_CHECK_MS;
  return superviseWorker({
    queue,
    create,
    checkEveryMs,
    stuckAfterMs: Math.max(2 * checkEveryMs, MIN_STUCK_AFTER_MS),
    logger: deps.logger.child({ module: 'worker-supervisor' }),
    metrics: deps.metrics,
  });
}
