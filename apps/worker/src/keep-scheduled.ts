import type { Logger, Redis } from '@storefront/shared';

/**
 * Runs `upsert` (an idempotent job-scheduler upsert) now, again on every `ready` of the queue
 * connection (a Redis that restarted empty has lost the schedule), and every `everyMs`
 * (WORKER_SCHEDULE_CHECK_MS): a Redis Cluster or Sentinel failover can promote a replica that
 * lacks the scheduler's next iteration without the client ever reconnecting, and then nothing
 * would run again — seen in the Cluster failover chaos run, where reconciliation stopped for good
 * after the kill. An upsert keeps a pending iteration's time, so repeating it never postpones a run.
 * A failure is logged as `could not schedule <what>` and left for the next try. Returns the
 * dispose function (call it at shutdown).
 */
export function keepScheduled(
  queueRedis: Redis,
  logger: Logger,
  what: string,
  upsert: () => Promise<void>,
  everyMs: number,
): () => void {
  let running: Promise<void> | undefined;
  const schedule = (): void => {
    // One upsert at a time: a slow Redis must not pile them up.
    running ??= upsert()
      .catch((err: unknown) => {
        logger.error(`could not schedule ${what}`, { err });
      })
      .finally(() => {
        running = undefined;
      });
  };
  schedule();
  queueRedis.on('ready', schedule);
  const timer = setInterval(schedule, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    queueRedis.off('ready', schedule);
  };
}
