import type { RequestHandler } from 'express';
import {
  createFieldCipher,
  createProducers,
  createRazorpayClient,
  createRepositories,
  createS3Client,
  DlqService,
  enqueueWebhook,
  RazorpayCredentialStore,
  throttledLog,
  type Producers,
  type Redis,
  type Repositories,
} from '@storefront/shared';
import type { ApiDeps } from './deps.ts';
import { requireCreator } from './auth/auth.middleware.ts';
import { AuthService } from './auth/auth.service.ts';
import { PasswordService } from './auth/password.service.ts';
import { TokenService } from './auth/token.service.ts';
import { checkoutMetrics } from './checkout/checkout.metrics.ts';
import { CheckoutService } from './checkout/checkout.service.ts';
import { createImageServices, type ImageServices } from './images/image-services.ts';
import { imageUrls, type ImageUrls } from './images/public-image.ts';
import { MeService } from './me/me.service.ts';
import { OrderStatusService } from './orders/order-status.service.ts';
import { RazorpayAccountService } from './razorpay-account/razorpay-account.service.ts';
import { StoreCache } from './storefront/store-cache.service.ts';
import { storefrontLoader } from './storefront/storefront-loader.ts';
import { UploadService } from './uploads/upload.service.ts';
import { WebhookIngestService } from './webhooks/webhook-ingest.service.ts';
import { webhookMetrics, type WebhookMetrics } from './webhooks/webhook.metrics.ts';

/**
 * The API's object graph: every repository, service and shared client, built once per process
 * by createApiHandler and handed out to routers (each takes only what it uses).
 */
export interface ApiServices extends ImageServices {
  repos: Repositories;
  /** Queues the API produces into (webhook processing), on one fail-fast connection… */
  producers: Producers;
  /** … this one, which the admin's read-only queue handles share. */
  producerRedis: Redis;
  credentials: RazorpayCredentialStore;
  storeCache: StoreCache;
  tokens: TokenService;
  /** Middleware: requires a creator's bearer token (see auth.middleware.ts). */
  requireCreator: RequestHandler;
  auth: AuthService;
  me: MeService;
  checkout: CheckoutService;
  orderStatus: OrderStatusService;
  uploads: UploadService;
  razorpayAccounts: RazorpayAccountService;
  webhookIngest: WebhookIngestService;
  webhookMetrics: WebhookMetrics;
  dlq: DlqService;
  /** PublicImage values for stored image references (PUBLIC_IMAGES_BASE_URL or /img). */
  imageUrls: ImageUrls;
}

/** Builds the API's services from its connections; cleanups are registered with `deps.onClose`. */
export function createApiServices(deps: ApiDeps): ApiServices {
  const { config, logger } = deps;
  const repos = createRepositories(deps.mongo);
  const cipher = createFieldCipher(config);
  const credentials = new RazorpayCredentialStore({
    accounts: repos.razorpayAccounts,
    config,
    cipher,
  });
  const s3 = createS3Client(config);
  deps.onClose(() => s3.destroy());
  // Fail-fast producer connection: with Redis down, add() rejects instead of hanging a request.
  const producerRedis = deps.createRedis('producer');
  const producers = createProducers(producerRedis, config.QUEUE_PREFIX);
  deps.onClose(() => producers.close());

  const images = imageUrls(config.PUBLIC_IMAGES_BASE_URL);
  const storeCache = new StoreCache({
    redis: deps.redis,
    subscriber: deps.createRedis('subscriber'),
    channelPrefix: config.REDIS_KEY_PREFIX,
    load: storefrontLoader(repos.creators, repos.products, images),
    memoryTtlMs: config.STORE_MEMORY_TTL_MS,
    memoryMaxEntries: config.STORE_MEMORY_MAX_ENTRIES,
    redisTtlSeconds: config.STORE_REDIS_TTL_SECONDS,
    negativeTtlSeconds: config.STORE_NEGATIVE_TTL_SECONDS,
    metrics: deps.metrics,
    logger: logger.child({ module: 'storefront' }),
  });
  storeCache.start();
  deps.onClose(() => storeCache.close());

  const tokens = new TokenService(config);
  const webhookLogger = logger.child({ module: 'webhooks' });
  const webhooks = webhookMetrics(deps.metrics);
  const warnEnqueue = throttledLog(5_000);
  return {
    repos,
    producers,
    producerRedis,
    credentials,
    storeCache,
    tokens,
    requireCreator: requireCreator({ tokens, creators: repos.creators }),
    auth: new AuthService({
      creators: repos.creators,
      passwords: new PasswordService(),
      tokens,
      store: storeCache,
    }),
    me: new MeService({ creators: repos.creators, products: repos.products, store: storeCache }),
    checkout: new CheckoutService({
      config,
      credentials,
      transactions: repos.transactions,
      logger: logger.child({ module: 'checkout' }),
      metrics: checkoutMetrics(deps.metrics),
      creators: repos.creators,
      products: repos.products,
      orders: repos.orders,
      razorpayFor: (creds) =>
        createRazorpayClient({
          keyId: creds.keyId,
          keySecret: creds.keySecret,
          baseUrl: config.RAZORPAY_API_BASE_URL,
          timeoutMs: config.RAZORPAY_TIMEOUT_MS,
        }),
    }),
    orderStatus: new OrderStatusService({
      orders: repos.orders,
      s3,
      bucket: config.S3_BUCKET,
      downloadTtlSeconds: config.DOWNLOAD_URL_TTL_SECONDS,
      tokenTtlSeconds: config.ORDER_TOKEN_TTL_SECONDS,
    }),
    uploads: new UploadService({ files: repos.products, s3, bucket: config.S3_BUCKET, logger }),
    razorpayAccounts: new RazorpayAccountService({
      accounts: repos.razorpayAccounts,
      credentials,
      cipher,
      publicBaseUrl: config.PUBLIC_BASE_URL,
    }),
    webhookIngest: new WebhookIngestService({
      credentials,
      logger: webhookLogger,
      inbox: repos.webhookEvents,
      enqueue: (eventId) => enqueueWebhook(producers.webhooks, eventId),
      onEnqueueFailure: (eventId, err) => {
        webhooks.enqueueFailed();
        warnEnqueue((suppressed) =>
          webhookLogger.warn('webhook stored but not queued; the sweeper will queue it', {
            eventId,
            suppressed,
            err,
          }),
        );
      },
    }),
    webhookMetrics: webhooks,
    dlq: new DlqService({
      dlq: repos.dlq,
      events: repos.webhookEvents,
      webhooks: producers.webhooks,
      logger: logger.child({ module: 'admin' }),
    }),
    imageUrls: images,
    ...createImageServices({
      config,
      s3,
      repos,
      store: storeCache,
      metrics: deps.metrics,
      logger,
      imageUrls: images,
    }),
  };
}
