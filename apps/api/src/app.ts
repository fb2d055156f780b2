import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import { getOrCreateMetric, promClient } from '@storefront/shared';
import type { ApiDeps } from './deps.ts';
import { createApiServices, type ApiServices } from './app-services.ts';
import { errorHandler, notFound } from './http/error-handler.ts';
import { createHttpMetrics } from './http/http-metrics.ts';
import { jsonBody } from './http/json-body.ts';
import { chain } from './http/middleware-chain.ts';
import { requestContext } from './http/request-context.ts';
import { healthRouter } from './health/health.routes.ts';
import { adminRouter } from './admin/admin.routes.ts';
import { authRouter } from './auth/auth.routes.ts';
import { meRouter } from './me/me.routes.ts';
import { imageHandler } from './images/image-serve.routes.ts';
import { imageUploadRouter } from './images/image-upload.routes.ts';
import { IMAGES_ROUTE } from './images/image-names.ts';
import { storefrontHandler } from './storefront/store.routes.ts';
import { storefrontFastPath } from './storefront/store-fast-path.ts';
import { STOREFRONT_ROUTE } from './storefront/store-response.ts';
import { createRateLimits } from './security/rate-limit.ts';
import { apiSecurityHeaderList } from './security/security-headers.ts';
import { securityMiddleware } from './security/security.middleware.ts';
import { parseTrustProxy } from './security/trust-proxy.ts';
import { uploadRouter } from './uploads/upload.routes.ts';
import { checkoutRouter } from './checkout/checkout.routes.ts';
import { orderRouter } from './orders/order.routes.ts';
import { webhookRouter } from './webhooks/webhook.routes.ts';
import { docsRouter } from './openapi/docs.routes.ts';
import { openApiRouter } from './openapi/openapi.routes.ts';
import { pageRouter } from './pages/page.routes.ts';
import { razorpayAccountRouter } from './razorpay-account/razorpay-account.routes.ts';

function fastPathCounter(registry: ApiDeps['metrics']): () => void {
  const counter = getOrCreateMetric(
    registry,
    'storefront_fast_path_responses_total',
    () =>
      new promClient.Counter({
        name: 'storefront_fast_path_responses_total',
        help: 'Storefront responses written before Express (memory hits on the plain GET route)',
        registers: [registry],
      }),
  );
  return () => counter.inc();
}

export interface ApiHandler {
  app: Express;
  /** The object graph the app was built from (built once, here). */
  services: ApiServices;
  /** The server's request listener: the storefront's hot path (store-fast-path.ts), else `app`. */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * The API's composition root below the connections: builds the object graph once
 * (app-services.ts), the Express app over it and the request listener to serve it with (see
 * `ApiHandler`). It neither listens nor opens connections.
 */
export function createApiHandler(
  deps: ApiDeps,
  opts: { isShuttingDown?: () => boolean } = {},
): ApiHandler {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // the storefront computes its own ETags over cached bytes
  app.set('query parser', 'simple');

  const isShuttingDown = opts.isShuttingDown ?? (() => false);
  const services = createApiServices(deps);
  const metrics = createHttpMetrics(deps.metrics);
  const limits = createRateLimits(deps);
  app.set('trust proxy', parseTrustProxy(deps.config.TRUST_PROXY));
  // Everything that runs on every request, as one Express layer (http/middleware-chain.ts):
  // the drain header, request id and log context, metrics, then the security chain (headers,
  // CORS, /metrics access, rate limits, query guard).
  app.use(
    chain(
      (_req, res, next) => {
        // While draining, every response closes its connection so keep-alive clients move elsewhere.
        if (isShuttingDown()) res.setHeader('Connection', 'close');
        next();
      },
      requestContext(),
      metrics.middleware,
      ...securityMiddleware(deps, limits.handler),
    ),
  );

  app.use(
    healthRouter({
      mongo: deps.mongo,
      redis: deps.redis,
      metrics: deps.metrics,
      isShuttingDown,
    }),
  );

  app.use(jsonBody({ limit: '100kb' }));

  // --- feature routers (one line per feature) ---
  // The storefront's one Express route, on the full path (no nested router); memory hits never
  // get here (the fast path below answers them).
  app.get(STOREFRONT_ROUTE, storefrontHandler(services.storeCache));
  app.get(IMAGES_ROUTE, imageHandler(services.imageCache));
  app.use('/api/v1/auth', authRouter(services));
  app.use('/api/v1/me', meRouter(services));
  app.use('/api/v1/me', imageUploadRouter({ ...services, maxBytes: deps.config.IMAGE_MAX_BYTES }));
  app.use(
    '/api/v1/me/products',
    uploadRouter({ ...services, config: deps.config, metrics: deps.metrics }),
  );
  app.use('/api/v1/store', checkoutRouter(services));
  app.use('/api/v1/orders', orderRouter(services));
  app.use(
    '/api/v1/webhooks/razorpay',
    webhookRouter({
      ingest: services.webhookIngest,
      metrics: services.webhookMetrics,
      logger: deps.logger.child({ module: 'webhooks' }),
      maxBodyBytes: deps.config.WEBHOOK_MAX_BODY_BYTES,
    }),
  );
  app.use('/api/v1/me/razorpay', razorpayAccountRouter(services));
  app.use(openApiRouter());
  app.use(docsRouter());
  app.use(
    adminRouter({ ...services, config: deps.config, logger: deps.logger, onClose: deps.onClose }),
  );
  // The buyer's HTML pages last: `/:username` must not shadow any route above.
  app.use(pageRouter({ ...services, assets: services.pageAssets }));

  app.use(notFound());
  app.use(errorHandler(deps.logger));

  const fast = storefrontFastPath({
    cache: services.storeCache,
    limiter: limits.publicLocal,
    securityHeaders: apiSecurityHeaderList(),
    observe: metrics.observe,
    pages: services.pages,
    onServed: fastPathCounter(deps.metrics),
    isShuttingDown,
  });
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    let served: boolean;
    try {
      served = fast(req, res);
    } catch (err) {
      // Nothing on that path should throw; if it ever does, the request is not lost with it:
      // Express answers it (or its error handler does) unless a response was already started.
      deps.logger.error('storefront fast path failed', { err });
      served = res.headersSent;
    }
    if (!served) app(req, res);
  };
  return { app, services, listener };
}
