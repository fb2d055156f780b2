import { Router } from 'express';
import {
  createFieldCipher,
  createRazorpayClient,
  CreatorRepository,
  ProductRepository,
} from '@storefront/shared';
import type { ApiDeps } from '../deps.ts';
import { OrderRepository } from '../orders/order.repository.ts';
import { checkoutMetrics } from './checkout.metrics.ts';
import { checkoutBody } from './checkout.schemas.ts';
import { CheckoutService } from './checkout.service.ts';

/** `POST /:username/products/:productId/checkout` (public); mount under `/api/v1/store`. */
export function checkoutRouter(deps: ApiDeps): Router {
  const { config } = deps;
  const service = new CheckoutService({
    mongo: deps.mongo,
    config,
    cipher: createFieldCipher(config),
    logger: deps.logger.child({ module: 'checkout' }),
    metrics: checkoutMetrics(deps.metrics),
    creators: new CreatorRepository(deps.mongo),
    products: new ProductRepository(deps.mongo),
    orders: new OrderRepository(deps.mongo),
    razorpayFor: (creds) =>
      createRazorpayClient({
        keyId: creds.keyId,
        keySecret: creds.keySecret,
        baseUrl: config.RAZORPAY_API_BASE_URL,
        timeoutMs: config.RAZORPAY_TIMEOUT_MS,
      }),
  });
  const router = Router();

  router.post('/:username/products/:productId/checkout', async (req, res) => {
    const input = checkoutBody.parse(req.body);
    const result = await service.checkout(req.params.username, req.params.productId, input);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(result);
  });

  return router;
}
