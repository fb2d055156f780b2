import type { Logger } from '@storefront/shared';

/**
 * An `error` listener for BullMQ workers and queues that logs at most one line per `everyMs`:
 * while Redis is down they emit an error on every reconnect attempt.
 */
export function throttledErrorLog(
  logger: Logger,
  what: string,
  everyMs = 5_000,
): (err: Error) => void {
  let last = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    logger.error(`${what} error`, { err });
  };
}
