import { Router } from 'express';
import type { OrderStatusService } from './order-status.service.ts';

const BEARER = /^bearer +([A-Za-z0-9_-]{16,128})$/i;

/** The buyer's order status page; mount under `/api/v1/orders`. */
export function orderRouter(deps: { orderStatus: OrderStatusService }): Router {
  const orders = deps.orderStatus;
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
