import { Router, type Request } from 'express';
import type { OrderPaymentService } from './order-payment.service.ts';
import { orderPaymentBody } from './order-payment.schemas.ts';
import type { OrderStatusService } from './order-status.service.ts';

const BEARER = /^bearer +([A-Za-z0-9_-]{16,128})$/i;

/** The order access token from `Authorization: Bearer …`, else from `?token=`. */
function accessToken(req: Request): string | undefined {
  // The header is preferred: a token in the URL ends up in browser history and proxy logs.
  const header = req.headers.authorization;
  const fromHeader = header === undefined ? undefined : BEARER.exec(header)?.[1];
  const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
  return fromHeader ?? fromQuery;
}

/** The buyer's order status page and Checkout callback; mount under `/api/v1/orders`. */
export function orderRouter(deps: {
  orderStatus: OrderStatusService;
  orderPayment: OrderPaymentService;
}): Router {
  const router = Router();

  router.get('/:id', async (req, res) => {
    const view = await deps.orderStatus.forToken(req.params.id, accessToken(req));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.json(view);
  });

  // Standard Checkout's `handler(response)` posts here. The order changes only on what Razorpay
  // says about the payment (order-payment.service.ts); the answer is the status view above.
  router.post('/:id/payment', async (req, res) => {
    const input = orderPaymentBody.parse(req.body);
    const view = await deps.orderPayment.confirm(req.params.id, accessToken(req), input);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.json(view);
  });

  return router;
}
