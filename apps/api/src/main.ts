import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createLogger, exitOnSignals, loadConfigOrExit } from '@storefront/shared';
import { serveClusterMetricsToParent, shareMetricsWithPrimary } from './cluster-metrics.ts';
import { assertPortFree, socketsFor } from './http/listen.ts';
import { startApi } from './server.ts';

// Entry point of an API process. With API_WORKERS != 1 the primary forks one API process per
// worker slot (0 = one per core) and restarts any that die; each listens on the same port.
const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, service: 'api' });
const workers = config.API_WORKERS === 0 ? availableParallelism() : config.API_WORKERS;

if (workers > 1 && cluster.isPrimary) {
  // With several sockets per process the processes bind the port themselves (SO_REUSEPORT):
  // refuse to start if something already listens there, as one shared socket would.
  if (socketsFor(config.API_ACCEPT_SOCKETS, config.API_PORT) > 1) {
    await assertPortFree(config.API_PORT, config.API_HOST).catch((err: unknown) => {
      logger.error('api failed to start', { err });
      process.exit(1);
    });
  }
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  serveClusterMetricsToParent();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error('api process died; restarting', { pid: worker.process.pid, code, signal });
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping api processes', { signal });
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    const timer = setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 2_000);
    timer.unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const api = await startApi(config, { logger }).catch((err: unknown) => {
    // Unreachable MongoDB, a port in use, a bad certificate path: one clear line, then exit.
    logger.error('api failed to start', { err });
    process.exit(1);
  });
  if (cluster.isWorker) shareMetricsWithPrimary(api.deps.metrics);
  logger.info('api listening', { url: api.url, pid: process.pid, sockets: api.acceptSockets });
  exitOnSignals({
    logger,
    what: 'api',
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS + 5_000,
    close: () => api.close(),
  });
}
