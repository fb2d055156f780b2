import type { Logger } from './logger.ts';

/**
 * Returns a gate that runs `log` at most once per `everyMs`, passing how many calls it skipped
 * since the last line. During an outage or an attack a per-event line would flood the logs.
 */
export function throttledLog(everyMs: number): (log: (suppressed: number) => void) => void {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (log) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed += 1;
      return;
    }
    last = now;
    log(suppressed);
    suppressed = 0;
  };
}

/**
 * An `error` listener for BullMQ workers and queues that logs at most one line per `everyMs`:
 * while Redis is down they emit an error on every reconnect attempt.
 */
export function throttledErrorLog(
  logger: Logger,
  what: string,
  everyMs = 5_000,
): (err: Error) => void {
  const gate = throttledLog(everyMs);
  return (err) => gate((suppressed) => logger.error(`${what} error`, { err, suppressed }));
}
