import type { RequestHandler } from 'express';
import {
  createFieldCipher,
  createProducers,
  createRepositories,
  createS3Client,
  DlqService,
  batchedEnqueues,
  enqueueOrderCheck,
  PaymentOutcomes,
  razorpayClientCache,
  RazorpayCredentialStore,
  throttledLog,
  watchLoopLoad,
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
import { checkoutCallbackMetrics } from './orders/order-payment.metrics.ts';
import { callbackDeferral, OrderPaymentService } from './orders/order-payment.service.ts';
import { OrderStatusService } from './orders/order-status.service.ts';
import { OrderWaits } from './orders/order-waits.ts';
import { loadPageAssets, type PageAssets } from './pages/page-assets.ts';
import { StorePages } from './pages/store-pages.ts';
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
  /** The buyer's HTML pages (rendered from the storefront cache entries) and their assets. */
  pages: StorePages;
  pageAssets: PageAssets;
  tokens: TokenService;
  /** Middleware: requires a creator's bearer token (see auth.middleware.ts). */
  requireCreator: RequestHandler;
  auth: AuthService;
  me: MeService;
  checkout: CheckoutService;
  orderStatus: OrderStatusService;
  /**
   * Status reads waiting for their order's delivery (`?wait=`). Closed when draining starts
   * (`onDrain`), before the server waits for in-flight requests.
   */
  orderWaits: OrderWaits;
  /** The buyer's Checkout callback: the API's path to a payment outcome. */
  orderPayment: OrderPaymentService;
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
  // Concurrent requests' money-path calls share commands (webhook inbox inserts, mostly).
  const batch = { windowMs: config.MONGO_BATCH_WINDOW_MS, maxSize: config.MONGO_BATCH_MAX };
  const repos = createRepositories(deps.mongo, batch);
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
  const enqueue = batchedEnqueues(producers, batch);
  // How busy this process is: a busy API leaves Checkout callbacks' checks to the worker.
  const loopLoad = watchLoopLoad();
  deps.onClose(() => loopLoad.stop());

  const images = imageUrls(config.PUBLIC_IMAGES_BASE_URL);
  // Status reads that wait for their order hear its delivery on the storefront cache's bus.
  const orderWaits = new OrderWaits({
    maxWaiters: config.ORDER_STATUS_MAX_WAITERS,
    hearsNotices: () => storeCache.hearsOrderNotices,
    metrics: deps.metrics,
  });
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
    onOrderNotice: (orderIds) => orderWaits.notify(orderIds),
  });
  storeCache.start();
  deps.onClose(() => storeCache.close());
  // Status reads waiting for their order answer when draining starts (each closes its connection).
  deps.onDrain(() => orderWaits.close());

  const pageAssets = loadPageAssets();
  const tokens = new TokenService(config);
  const webhookLogger = logger.child({ module: 'webhooks' });
  const webhooks = webhookMetrics(deps.metrics);
  const warnEnqueue = throttledLog(5_000);
  const razorpayFor = razorpayClientCache({
    baseUrl: config.RAZORPAY_API_BASE_URL,
    timeoutMs: config.RAZORPAY_TIMEOUT_MS,
  });
  const orderStatus = new OrderStatusService({
    orders: repos.orders,
    s3,
    bucket: config.S3_BUCKET,
    downloadTtlSeconds: config.DOWNLOAD_URL_TTL_SECONDS,
    tokenTtlSeconds: config.ORDER_TOKEN_TTL_SECONDS,
  });
  const paymentsLogger = logger.child({ module: 'payments' });
  const warnDelivery = throttledLog(5_000);
  const payments = new PaymentOutcomes({
    orders: repos.orders,
    transactions: repos.transactions,
    logger: paymentsLogger,
    // The order is paid by then, with its delivery recorded as queued: if the job cannot be
    // added now, the worker's sweeper adds it, so the buyer's request does not fail for it.
    deliver: (order) =>
      enqueue.delivery(String(order._id)).catch((err: unknown) => {
        warnDelivery((suppressed) =>
          paymentsLogger.warn('order paid but its delivery not queued; the sweeper will queue it', {
            orderId: String(order._id),
            suppressed,
            err,
          }),
        );
      }),
  });
  return {
    repos,
    producers,
    producerRedis,
    credentials,
    storeCache,
    pages: new StorePages({
      assets: pageAssets,
      checkoutUrl: config.RAZORPAY_CHECKOUT_URL,
      razorpayApiUrl: config.RAZORPAY_API_BASE_URL,
    }),
    pageAssets,
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
      razorpayFor,
    }),
    orderStatus,
    orderWaits,
    orderPayment: new OrderPaymentService({
      orderStatus,
      orders: repos.orders,
      credentials,
      razorpayFor,
      payments,
      transactions: repos.transactions,
      metrics: checkoutCallbackMetrics(deps.metrics),
      logger: logger.child({ module: 'checkout' }),
      deferral: callbackDeferral({
        mode: config.CHECKOUT_CALLBACK_DEFER,
        busyElu: config.CHECKOUT_CALLBACK_BUSY_ELU,
        loop: loopLoad,
        schedule: (orderId, paymentId) =>
          enqueueOrderCheck(
            producers.orderChecks,
            { orderId, paymentId },
            config.CHECKOUT_CALLBACK_CHECK_DELAY_MS,
          ),
      }),
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
      enqueue: enqueue.webhook,
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
