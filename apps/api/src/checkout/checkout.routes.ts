import { Router } from 'express';
import { checkoutBody } from './checkout.schemas.ts';
import type { CheckoutService } from './checkout.service.ts';

/** `POST /:username/products/:productId/checkout` (public); mount under `/api/v1/store`. */
export function checkoutRouter(deps: { checkout: CheckoutService }): Router {
  const service = deps.checkout;
  const router = Router();

  router.post('/:username/products/:productId/checkout', async (req, res) => {
    const input = checkoutBody.parse(req.body);
    const result = await service.checkout(req.params.username, req.params.productId, input);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(result);
  });

  return router;
}
