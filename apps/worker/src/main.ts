import { createLogger, loadConfigOrExit } from '@storefront/shared';
import { startWorker } from './worker.ts';

// Entry point of a worker process.
const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, service: 'worker' });
const worker = await startWorker(config, { logger }).catch((err: unknown) => {
  logger.error('worker failed to start', { err });
  process.exit(1);
});
logger.info('worker started', { health: worker.url, pid: process.pid });

const shutdown = (signal: NodeJS.Signals) => {
  logger.info('worker shutting down; letting active jobs finish', { signal });
  const timer = setTimeout(() => {
    logger.error('graceful shutdown timed out');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS + 5_000);
  timer.unref();
  worker.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error('shutdown failed', { err });
      process.exit(1);
    },
  );
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
