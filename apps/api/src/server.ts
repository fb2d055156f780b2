import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  createLogger,
  createMetricsRegistry,
  createMongoConnection,
  mongoOptionsFromConfig,
  ensureIndexes,
  waitForRedisReady,
  type Config,
  type Logger,
  type Redis,
  createRedis,
  redisTargetFromConfig,
} from '@storefront/shared';
import { createApiHandler } from './app.ts';
import { registerOpenConnections } from './http/http-metrics.ts';
import { listen, type Listening } from './http/listen.ts';
import { expressServerClasses } from './http/server-classes.ts';
import type { ApiServices } from './app-services.ts';
import type { ApiDeps } from './deps.ts';

export interface RunningApi {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  server: http.Server | https.Server;
  deps: ApiDeps;
  /** The object graph the app serves from (repositories, services, the storefront cache). */
  services: ApiServices;
  /** Listening sockets of this process (API_ACCEPT_SOCKETS where it applies, else 1). */
  acceptSockets: number;
  /** Graceful stop: refuse new connections, let in-flight requests finish, close connections. */
  close: () => Promise<void>;
}

/**
 * The API's composition root: opens connections, builds the app and listens. Used by the entry
 * point and by tests (with `API_PORT=0`), so tests run exactly the graph production runs.
 */
export async function startApi(
  config: Config,
  opts: { logger?: Logger } = {},
): Promise<RunningApi> {
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL, service: 'api' });
  const metrics = createMetricsRegistry({ service: 'api' });
  const closers: Array<() => Promise<void> | void> = [];
  const drainers: Array<() => void> = [];
  const extraRedis: Redis[] = [];
  const mongo = await createMongoConnection({
    ...mongoOptionsFromConfig(config),
    logger,
    metrics,
  });
  await ensureIndexes(mongo);
  const redisTarget = redisTargetFromConfig(config);
  const redis = createRedis(redisTarget, 'cache', logger, { keyPrefix: config.REDIS_KEY_PREFIX });
  // Start ready when Redis is: wait briefly for the first connection, but start degraded (cache
  // misses go to MongoDB) rather than not at all when Redis is down.
  await waitForRedisReady(redis, 3_000);
  const deps: ApiDeps = {
    config,
    logger,
    metrics,
    mongo,
    redis,
    createRedis: (role) => {
      const r =
        role === 'producer'
          ? createRedis(redisTarget, 'producer', logger)
          : createRedis(redisTarget, role, logger, { keyPrefix: config.REDIS_KEY_PREFIX });
      extraRedis.push(r);
      return r;
    },
    onClose: (fn) => closers.push(fn),
    onDrain: (fn) => drainers.push(fn),
  };

  let shuttingDown = false;
  const { app, services, listener } = createApiHandler(deps, {
    isShuttingDown: () => shuttingDown,
  });
  const certFile = config.TLS_CERT_FILE;
  const keyFile = config.TLS_KEY_FILE;
  const tls = certFile !== undefined && keyFile !== undefined;
  const server = tls
    ? https.createServer(
        {
          cert: readFileSync(certFile),
          key: readFileSync(keyFile),
          minVersion: 'TLSv1.3',
          ...expressServerClasses(app),
        },
        listener,
      )
    : http.createServer(expressServerClasses(app), listener);
  // Longer than a typical load balancer idle timeout, so the balancer closes idle sockets first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = config.API_REQUEST_TIMEOUT_MS;

  /** Stops what the app started and closes the connections (the server is closed first). */
  const release = async (): Promise<void> => {
    for (const fn of closers.reverse()) {
      try {
        await fn();
      } catch (err) {
        logger.error('error during shutdown', { err });
      }
    }
    await Promise.allSettled([...extraRedis, redis].map((r) => r.quit()));
    await mongo.close();
  };

  let listening: Listening;
  try {
    listening = await listen(server, {
      port: config.API_PORT,
      host: config.API_HOST,
      backlog: config.API_LISTEN_BACKLOG,
      sockets: config.API_ACCEPT_SOCKETS,
    });
  } catch (err) {
    // A port in use: nothing is served, so nothing is left open either.
    server.close();
    await release();
    throw err;
  }
  registerOpenConnections(metrics, listening.connections);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      for (const fn of drainers) {
        try {
          fn();
        } catch (err) {
          logger.error('error when draining started', { err });
        }
      }
      const stopped = Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        listening.closeExtra(),
      ]);
      // Connections that finish their in-flight request become idle: close them as they do.
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        logger.warn('shutdown timeout: closing remaining connections');
        server.closeAllConnections();
      }, config.SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      await stopped;
      clearTimeout(timer);
      clearInterval(idleSweep);
      await release();
    })();
    return closing;
  };
  return { url, server, deps, services, acceptSockets: listening.sockets, close };
}
