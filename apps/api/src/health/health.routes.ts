import { Router } from 'express';
import type { Connection } from 'mongoose';
import { pingMongo, pingRedis, type MetricsRegistry, type Redis } from '@storefront/shared';

/** `/healthz` (process alive), `/readyz` (MongoDB and Redis reachable) and `/metrics`. */
export function healthRouter(deps: {
  mongo: Connection;
  redis: Redis;
  metrics: MetricsRegistry;
  isShuttingDown: () => boolean;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [mongo, redis] = await Promise.all([pingMongo(deps.mongo), pingRedis(deps.redis)]);
    const ready = mongo && redis && !deps.isShuttingDown();
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      checks: { mongo, redis, shuttingDown: deps.isShuttingDown() },
    });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.contentType);
    res.send(await deps.metrics.metrics());
  });
  return router;
}
