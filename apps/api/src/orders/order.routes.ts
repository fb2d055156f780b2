import { Router } from 'express';
import { createS3Client } from '@storefront/shared';
import type { ApiDeps } from '../deps.ts';
import { OrderRepository } from './order.repository.ts';
import { OrderStatusService } from './order-status.service.ts';

const BEARER = /^bearer +([A-Za-z0-9_-]{16,128})$/i;

/** The buyer's order status page; mount under `/api/v1/orders`. */
export function orderRouter(deps: ApiDeps): Router {
  const s3 = createS3Client(deps.config);
  deps.onClose(() => s3.destroy());
  const orders = new OrderStatusService({
    orders: new OrderRepository(deps.mongo),
    s3,
    bucket: deps.config.S3_BUCKET,
    downloadTtlSeconds: deps.config.DOWNLOAD_URL_TTL_SECONDS,
    tokenTtlSeconds: deps.config.ORDER_TOKEN_TTL_SECONDS,
  });
  const router = Router();

  router.get('/:id', async (req, res) => {
    // The header is preferred: a token in the URL ends up in browser history and proxy logs.
    const header = req.headers.authorization;
    const fromHeader = header === undefined ? undefined : BEARER.exec(header)?.[1];
    const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
    const view = await orders.forToken(req.params.id, fromHeader ?? fromQuery);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.json(view);
  });

  return router;
}
