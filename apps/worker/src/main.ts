import { createLogger, exitOnSignals, loadConfigOrExit } from '@storefront/shared';
import { startWorker } from './worker.ts';

// Entry point of a worker process.
const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, service: 'worker' });
const worker = await startWorker(config, { logger }).catch((err: unknown) => {
  logger.error('worker failed to start', { err });
  process.exit(1);
});
logger.info('worker started', { health: worker.url, pid: process.pid });

// Active jobs finish before the process exits (worker.close waits for them).
exitOnSignals({
  logger,
  what: 'worker',
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS + 5_000,
  close: () => worker.close(),
});
