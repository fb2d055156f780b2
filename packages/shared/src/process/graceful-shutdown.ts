import type { Logger } from '../logging/logger.ts';

/**
 * Runs `close` once on the first SIGTERM or SIGINT and exits 0 when it resolves (1 on failure
 * or when it overruns `timeoutMs`). Later signals are logged and ignored, so a supervisor and a
 * process-group signal arriving together do not cut a drain short.
 */
export function exitOnSignals(opts: {
  logger: Logger;
  timeoutMs: number;
  close: () => Promise<void>;
  what: string;
}): void {
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      opts.logger.info(`${opts.what} already shutting down`, { signal });
      return;
    }
    started = true;
    opts.logger.info(`${opts.what} shutting down`, { signal });
    const timer = setTimeout(() => {
      opts.logger.error('graceful shutdown timed out');
      process.exit(1);
    }, opts.timeoutMs);
    timer.unref();
    opts.close().then(
      () => process.exit(0),
      (err: unknown) => {
        opts.logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
