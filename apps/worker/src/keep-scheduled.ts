import type { Logger, Redis } from '@storefront/shared';

/**
 * Runs `upsert` (an idempotent job-scheduler upsert) now and again on every `ready` of the queue
 * connection: a Redis that restarted empty has lost the schedule. A failure is logged as
 * `could not schedule <what>` and left for the next reconnect. Returns the dispose function that
 * stops listening (call it at shutdown).
 */
export function keepScheduled(
  queueRedis: Redis,
  logger: Logger,
  what: string,
  upsert: () => Promise<void>,
): () => void {
  const schedule = async (): Promise<void> => {
    try {
      await upsert();
    } catch (err) {
      logger.error(`could not schedule ${what}`, { err });
    }
  };
  void schedule();
  const onReady = (): void => void schedule();
  queueRedis.on('ready', onReady);
  return () => {
    queueRedis.off('ready', onReady);
  };
}
