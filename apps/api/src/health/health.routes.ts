import { Router, type RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import { pingMongo, pingRedis, type MetricsRegistry, type Redis } from '@storefront/shared';
import type { HealthBody, ReadinessBody } from '../openapi/response.schemas.ts';

// The router's paths as Express matches them: any case, optional trailing slash.
const HEALTH_PATHS = /^\/(?:healthz|readyz|metrics)\/?$/i;

/**
 * `/healthz` (process alive), `/readyz` (MongoDB and Redis reachable) and `/metrics`. Every
 * other request skips the router with one regex test instead of a walk through its routes.
 */
export function healthRouter(deps: {
  mongo: Connection;
  redis: Redis;
  metrics: MetricsRegistry;
  isShuttingDown: () => boolean;
}): RequestHandler {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' } satisfies HealthBody);
  });
  router.get('/readyz', async (_req, res) => {
    const [mongo, redis] = await Promise.all([pingMongo(deps.mongo), pingRedis(deps.redis)]);
    const ready = mongo && redis && !deps.isShuttingDown();
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      checks: { mongo, redis, shuttingDown: deps.isShuttingDown() },
    } satisfies ReadinessBody);
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.contentType);
    res.send(await deps.metrics.metrics());
  });
  return (req, res, next) => {
    if (HEALTH_PATHS.test(req.path)) router(req, res, next);
    else next();
  };
}
