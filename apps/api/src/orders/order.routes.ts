import { Router, type Request, type Response } from 'express';
import type { OrderPaymentService } from './order-payment.service.ts';
import { orderPaymentBody } from './order-payment.schemas.ts';
import type { OrderStatusService, OrderStatusView } from './order-status.service.ts';
import { orderStatusQuery } from './order-status.schemas.ts';
import type { OrderWaits } from './order-waits.ts';

const BEARER = /^bearer +([A-Za-z0-9_-]{16,128})$/i;

/** The order access token from `Authorization: Bearer …`, else from `?token=`. */
function accessToken(req: Request): string | undefined {
  // The header is preferred: a token in the URL ends up in browser history and proxy logs.
  const header = req.headers.authorization;
  const fromHeader = header === undefined ? undefined : BEARER.exec(header)?.[1];
  const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
  return fromHeader ?? fromQuery;
}

/** Nothing more will change for the buyer: paid with its download, failed or expired. */
function settled(view: OrderStatusView): boolean {
  return view.status === 'paid'
    ? view.download !== null
    : view.status !== 'pending' && view.status !== 'created';
}

function answer(res: Response, view: OrderStatusView): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.json(view);
}

/** The buyer's order status page and Checkout callback; mount under `/api/v1/orders`. */
export function orderRouter(deps: {
  orderStatus: OrderStatusService;
  orderPayment: OrderPaymentService;
  orderWaits: OrderWaits;
}): Router {
  const router = Router();

  // `?wait=N`: an order not settled yet is answered when the worker announces its delivery, or
  // after N seconds, whichever is first (order-waits.ts); the answer is the same view either way.
  router.get('/:id', async (req, res) => {
    const { wait = 0 } = orderStatusQuery.parse(req.query);
    const id = req.params.id;
    const token = accessToken(req);
    // Begun before the first read: a delivery announced while it runs still ends the wait. The
    // client may leave during that read too, so its going is watched from here.
    const pending = wait > 0 ? deps.orderWaits.begin(id, wait * 1000) : undefined;
    const left = () => pending?.cancel('aborted');
    if (pending) res.once('close', left);
    try {
      const view = await deps.orderStatus.forToken(id, token);
      if (pending === undefined || settled(view)) return answer(res, view);
      const end = await pending.done;
      if (end === 'aborted') return; // the client went away
      // Woken because this process is draining: the client should come back on a new connection.
      if (end === 'closed') res.setHeader('Connection', 'close');
      const now = await deps.orderStatus.forToken(id, token);
      if (end === 'timeout' && now.download !== null) deps.orderWaits.noticeMissed();
      answer(res, now);
    } finally {
      res.off('close', left);
      pending?.cancel();
    }
  });

  // Standard Checkout's `handler(response)` posts here. The order changes only on what Razorpay
  // says about the payment (order-payment.service.ts); the answer is the status view above.
  router.post('/:id/payment', async (req, res) => {
    const input = orderPaymentBody.parse(req.body);
    answer(res, await deps.orderPayment.confirm(req.params.id, accessToken(req), input));
  });

  return router;
}
