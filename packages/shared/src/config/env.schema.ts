import { z } from 'zod';
import { parseEncryptionKeys } from '../crypto/encryption-keys.ts';

// The single description of every environment variable. Each section belongs to one feature;
// docs/configuration.md and .env.example list the same variables in the same sections.

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const hostPort = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const hostPortList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .superRefine((list, ctx) => {
    if (list.length === 0)
      ctx.addIssue({ code: 'custom', message: 'needs at least one host:port' });
    for (const entry of list) {
      const m = hostPort.exec(entry);
      if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not host:port` });
      }
    }
  });
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

/**
 * Variables that must be set explicitly when NODE_ENV=production (no development default applies).
 * Redis is required too, as REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (checked in config.ts).
 */
export const PRODUCTION_REQUIRED = [
  'MONGO_URL',
  'JWT_SECRET',
  'ADMIN_PASSWORD',
  'ENCRYPTION_KEYS',
  'RAZORPAY_KEY_ID',
  'RAZORPAY_KEY_SECRET',
  'RAZORPAY_WEBHOOK_SECRET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
] as const;

export const envSchema = z.object({
  // --- process ---
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'debug', 'silent']).default('info'),
  SERVICE_NAME: z.string().min(1).default('storefront'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),

  // --- api ---
  API_HOST: z.string().min(1).default('0.0.0.0'),
  API_PORT: port.default(3000),
  /** Number of API processes `npm start -w @storefront/api` forks; 0 = one per core. */
  API_WORKERS: nonNegativeInt.default(1),
  /** Trailing slashes are stripped, so URLs are built as `${PUBLIC_BASE_URL}/api/...`. */
  PUBLIC_BASE_URL: z
    .string()
    .url()
    .default('http://localhost:3000')
    .transform((v) => v.replace(/\/+$/, '')),
  /** Longest a request may take end to end (uploads stream through it, so not too short). */
  API_REQUEST_TIMEOUT_MS: positiveInt.default(300_000),
  /**
   * Connections the kernel may hold waiting for accept() (capped by net.core.somaxconn). Node's
   * 511 overflows when a drop brings thousands of new connections a second: the kernel then drops
   * handshakes and buyers wait for SYN retransmissions (1, 3, 7, 15, 31 s).
   */
  API_LISTEN_BACKLOG: positiveInt.max(65_535).default(4096),
  /**
   * Listening sockets per API process (Linux, with a fixed API_PORT). Node takes one new
   * connection per listening socket per turn of its event loop; a busy process's turns are long,
   * so a drop's new visitors queued for seconds behind one socket. With several (SO_REUSEPORT,
   * the kernel spreads connections over them) a turn takes up to this many. 1: one socket, shared
   * by the cluster's processes through the primary's round-robin, as Node does by default.
   */
  API_ACCEPT_SOCKETS: positiveInt.max(64).default(16),

  // --- worker ---
  WORKER_HOST: z.string().min(1).default('0.0.0.0'),
  WORKER_HEALTH_PORT: port.default(3001),
  /**
   * Jobs one worker process runs at once, per queue (webhooks, deliveries). Jobs are I/O-bound;
   * the more run at once, the larger the MongoDB batches they share (docs/performance.md).
   */
  WORKER_CONCURRENCY: positiveInt.default(400),
  /**
   * The worker's MONGO_BATCH_WINDOW_MS while its event loop is busy (at least 90 % of the last
   * quarter second): how long its first MongoDB call (or queue add) of a batch waits for company
   * (ms). In a burst calls pile up on their own and a longer wait only slows every job: 10 ms
   * cost a burst about a tenth of its throughput (docs/performance.md, "Webhooks"). The API's
   * own window is MONGO_BATCH_WINDOW_MS.
   */
  WORKER_MONGO_BATCH_WINDOW_MS: nonNegativeInt.max(1_000).default(2),
  /**
   * The worker's batch window while its event loop has slack (busy less than 90 % of the last
   * quarter second). A worker that keeps up takes events a few milliseconds apart, and at 2 ms
   * each read and write went alone: at a steady ~450 events/s, 10 ms cut its CPU per order by a
   * third and its MongoDB commands by 40 %. Not above WORKER_MONGO_BATCH_WINDOW_MS: one window
   * at all times.
   */
  WORKER_MONGO_SLACK_BATCH_WINDOW_MS: nonNegativeInt.max(1_000).default(10),
  /**
   * BullMQ's job lock on the webhooks and deliveries queues (renewed every half of it while the
   * job runs), and how often a worker looks for jobs whose lock expired (a worker died with them,
   * or a Redis failover lost the completion): together they bound how long such a job waits
   * before it runs again. BullMQ's defaults; shorter recovers sooner, but a process whose event
   * loop stalls longer than the lock lets a second worker take the job (the processors are safe
   * to run twice).
   */
  WORKER_LOCK_DURATION_MS: positiveInt.min(1000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: positiveInt.min(1000).default(30_000),
  /**
   * How often each worker re-asserts the reconciliation and sweeper schedules in Redis: a failover
   * can lose a scheduler's next run without the connection ever reconnecting.
   */
  WORKER_SCHEDULE_CHECK_MS: positiveInt.min(100).default(30_000),

  // --- mongodb ---
  MONGO_URL: z.string().startsWith('mongodb').default('mongodb://127.0.0.1:27017/storefront'),
  MONGO_POOL_SIZE: positiveInt.default(50),
  /**
   * Concurrent MongoDB calls of one kind on the money path (inbox inserts and reads, order reads,
   * transaction log writes, delivery enqueues) share one command: the first waits this long (ms)
   * for company, at most MONGO_BATCH_MAX go together. 0 batches only calls made in the same
   * tick. The API's; the worker has its own (WORKER_MONGO_BATCH_WINDOW_MS). See
   * docs/performance.md ("Webhooks").
   */
  MONGO_BATCH_WINDOW_MS: nonNegativeInt.max(1_000).default(2),
  MONGO_BATCH_MAX: positiveInt.default(200),
  MONGO_SERVER_SELECTION_TIMEOUT_MS: positiveInt.default(5_000),
  /**
   * Write concern of every write: `majority` (acknowledged once a majority of the replica set has
   * it: a primary failover cannot roll it back) or a number of members ≥ 1 (mongo-config.ts).
   */
  MONGO_WRITE_CONCERN: z
    .string()
    .regex(/^(majority|[1-9]\d*)$/, 'must be majority or a number of members ≥ 1')
    .default('majority')
    .transform((v) => (v === 'majority' ? v : Number(v))),
  /** Longest a write waits for its write concern before it fails (and is retried or answered 5xx). */
  MONGO_WRITE_TIMEOUT_MS: positiveInt.default(10_000),
  /** Retryable writes: the driver retries a write once after a failover or network error. */
  MONGO_RETRY_WRITES: bool.default(true),

  // --- redis ---
  // One deployment shape at a time: REDIS_URL (one node), REDIS_CLUSTER_NODES (Cluster) or
  // REDIS_SENTINELS + REDIS_SENTINEL_MASTER (Sentinel); config.ts rejects every mix.
  /** One node; `rediss://` turns TLS on. */
  REDIS_URL: z.string().startsWith('redis').default('redis://127.0.0.1:6379'),
  /** Comma-separated `host:port` seed nodes of a Redis Cluster. */
  REDIS_CLUSTER_NODES: optionalString.pipe(hostPortList.optional()),
  /** Comma-separated `host:port` of the Sentinels watching REDIS_SENTINEL_MASTER. */
  REDIS_SENTINELS: optionalString.pipe(hostPortList.optional()),
  /** The master name the Sentinels monitor. */
  REDIS_SENTINEL_MASTER: optionalString,
  /** `requirepass` of the Sentinels themselves (REDIS_PASSWORD is the data nodes'). */
  REDIS_SENTINEL_PASSWORD: optionalString,
  /** ACL user for the data nodes (needs REDIS_PASSWORD); overrides one in REDIS_URL. */
  REDIS_USERNAME: optionalString,
  REDIS_PASSWORD: optionalString,
  /** TLS to the data nodes (Cluster/Sentinel); with REDIS_URL, `rediss://` says the same. */
  REDIS_TLS: optionalString.pipe(bool.optional()),
  /**
   * PEM file of the CA that signed the Redis servers' certificates, for a private CA (the system's
   * CAs are trusted anyway). Certificates are always verified.
   */
  REDIS_TLS_CA_FILE: optionalString,
  /** BullMQ key prefix; the `{...}` hash tag keeps one queue's keys on one Redis Cluster slot. */
  QUEUE_PREFIX: z.string().min(1).default('{storefront}'),
  /** Key prefix for cache and rate-limit keys. */
  REDIS_KEY_PREFIX: z.string().default(''),

  // --- auth ---
  JWT_SECRET: z.string().min(32).default('dev-only-jwt-secret-change-me-0123456789abcdef'),
  JWT_TTL_SECONDS: positiveInt.default(7 * 24 * 3600),
  JWT_REFRESH_AFTER_SECONDS: positiveInt.default(24 * 3600),
  ADMIN_USERNAME: z.string().min(1).default('admin'),
  ADMIN_PASSWORD: z.string().min(12).default('dev-admin-password'),

  // --- storefront cache ---
  STORE_MEMORY_TTL_MS: positiveInt.default(5_000),
  STORE_MEMORY_MAX_ENTRIES: positiveInt.default(10_000),
  STORE_REDIS_TTL_SECONDS: positiveInt.default(60),
  STORE_NEGATIVE_TTL_SECONDS: positiveInt.default(10),

  // --- razorpay ---
  RAZORPAY_API_BASE_URL: z.string().url().default('https://api.razorpay.com'),
  /**
   * Razorpay Standard Checkout's script, loaded by the storefront page on Buy intent; the page's
   * Content-Security-Policy allows its origin (and RAZORPAY_API_BASE_URL's) and nothing else.
   */
  RAZORPAY_CHECKOUT_URL: z.string().url().default('https://checkout.razorpay.com/v1/checkout.js'),
  RAZORPAY_KEY_ID: z.string().min(1).default('rzp_test_platform'),
  RAZORPAY_KEY_SECRET: z.string().min(1).default('dev-platform-key-secret'),
  RAZORPAY_WEBHOOK_SECRET: z.string().min(1).default('dev-platform-webhook-secret'),
  RAZORPAY_TIMEOUT_MS: positiveInt.default(4_000),

  // --- payments / webhooks ---
  ORDER_TOKEN_TTL_SECONDS: positiveInt.default(30 * 24 * 3600),
  /**
   * Order status reads (`?wait=`) one API process lets wait for their order at once; past it a
   * read answers at once (each waiting read holds its connection, a timer and a map entry).
   */
  ORDER_STATUS_MAX_WAITERS: positiveInt.default(10_000),
  WEBHOOK_MAX_BODY_BYTES: positiveInt.default(256 * 1024),
  /** Multiplies the webhook retry schedule (30 s, 1 min, 5 min, 30 min, 1 h); tests use e.g. 0.01. */
  WEBHOOK_RETRY_TIME_SCALE: z.coerce.number().positive().default(1),
  WEBHOOK_SWEEP_INTERVAL_MS: positiveInt.default(30_000),
  /**
   * When the buyer's Checkout callback leaves its Razorpay check to the worker (an `order-checks`
   * job CHECKOUT_CALLBACK_CHECK_DELAY_MS later) instead of asking Razorpay itself: `busy` (the
   * API's event loop was at least CHECKOUT_CALLBACK_BUSY_ELU busy over the last half second),
   * `always`, or `never`.
   */
  CHECKOUT_CALLBACK_DEFER: z.enum(['busy', 'always', 'never']).default('busy'),
  CHECKOUT_CALLBACK_BUSY_ELU: z.coerce.number().min(0).max(1).default(0.9),
  CHECKOUT_CALLBACK_CHECK_DELAY_MS: nonNegativeInt.max(60_000).default(2_000),
  ALERT_WEBHOOK_URL: optionalString.pipe(z.string().url().optional()),

  // --- reconciliation ---
  RECONCILE_INTERVAL_MS: positiveInt.default(120_000),
  RECONCILE_MIN_AGE_MS: nonNegativeInt.default(5 * 60_000),
  RECONCILE_BATCH_SIZE: positiveInt.default(100),
  RECONCILE_ORDER_EXPIRY_MS: positiveInt.default(30 * 60_000),
  RAZORPAY_MAX_CALLS_PER_SECOND: positiveInt.default(10),
  /**
   * Razorpay calls per second of the `order-checks` jobs (deferred Checkout callbacks), across
   * all workers; a gate of their own beside the reconciliation runs'.
   */
  ORDER_CHECK_MAX_CALLS_PER_SECOND: positiveInt.default(300),
  /** Orders one reconciliation run checks in parallel (the calls-per-second cap still applies). */
  RECONCILE_CONCURRENCY: positiveInt.default(4),
  /** TTL of the lock that keeps reconciliation runs from overlapping; renewed while a run is alive. */
  RECONCILE_LOCK_TTL_MS: positiveInt.default(30_000),
  /** Consecutive retryable Razorpay failures after which a run stops and leaves the rest to the next. */
  RECONCILE_MAX_RETRIES: nonNegativeInt.default(3),
  /** First pause of all Razorpay calls after a 429/5xx/timeout; doubles per consecutive failure, with jitter. */
  RAZORPAY_BACKOFF_BASE_MS: positiveInt.default(1_000),
  /** Longest backoff pause; a run does not wait out a longer pause (e.g. a long Retry-After). */
  RAZORPAY_BACKOFF_MAX_MS: positiveInt.default(60_000),

  // --- s3 ---
  S3_ENDPOINT: optionalString.pipe(z.string().url().optional()),
  S3_REGION: z.string().min(1).default('ap-south-1'),
  S3_BUCKET: z.string().min(3).default('storefront-files'),
  /** Public marketing images (covers, avatars); never the same bucket as S3_BUCKET's private files. */
  S3_IMAGES_BUCKET: z.string().min(3).default('storefront-images'),
  S3_ACCESS_KEY_ID: z.string().min(1).default('S3RVER'),
  S3_SECRET_ACCESS_KEY: z.string().min(1).default('S3RVER'),
  S3_FORCE_PATH_STYLE: bool.default(false),
  DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(900).default(900),
  UPLOAD_MAX_BYTES: positiveInt.default(50 * 1024 * 1024),

  // --- images ---
  /** Largest cover or avatar upload, in bytes. */
  IMAGE_MAX_BYTES: positiveInt.default(10 * 1024 * 1024),
  /** Largest image by decoded pixels (width × height); checked from the header, before decoding. */
  IMAGE_MAX_PIXELS: positiveInt.default(40_000_000),
  /** Image uploads one API process resizes and encodes at a time (each on one libvips thread). */
  IMAGE_PROCESSING_CONCURRENCY: positiveInt.default(1),
  /** Bytes of encoded images one API process keeps in memory for GET /img/. */
  IMAGE_CACHE_MAX_BYTES: positiveInt.default(32 * 1024 * 1024),
  /** Prefix of image URLs (e.g. a CDN in front of /img); default: the API's own relative `/img`. */
  PUBLIC_IMAGES_BASE_URL: optionalString
    .pipe(z.string().url().optional())
    .transform((v) => v?.replace(/\/+$/, '')),

  // --- security ---
  /** Comma-separated `keyId:base64key` pairs; each key must decode to exactly 32 bytes. */
  ENCRYPTION_KEYS: z
    .string()
    .min(1)
    .default('dev1:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=')
    .superRefine((value, ctx) => {
      const parsed = parseEncryptionKeys(value);
      if (parsed.ok) return;
      for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
    }),
  ENCRYPTION_ACTIVE_KEY_ID: optionalString,
  TLS_CERT_FILE: optionalString,
  TLS_KEY_FILE: optionalString,
  CORS_ORIGINS: csv.default(['http://localhost:5173']),
  /** Express `trust proxy` value: `false`, a hop count, or a comma-separated list of proxy addresses/CIDRs. */
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine((v) => v.trim().toLowerCase() !== 'true', {
      message:
        'true would trust any client-supplied X-Forwarded-For; name the proxies or a hop count',
    }),
  RATE_LIMIT_PUBLIC_PER_MIN: positiveInt.default(100),
  RATE_LIMIT_AUTH_PER_MIN: positiveInt.default(300),
  RATE_LIMIT_WEBHOOK_PER_MIN: positiveInt.default(6_000),
  RATE_LIMIT_ADMIN_PER_MIN: positiveInt.default(60),
  /** Per client address on GET /img/ (immutable, cacheable): far above what a browsing buyer sends. */
  RATE_LIMIT_IMAGES_PER_MIN: positiveInt.default(3_000),
  /** What rate limiting does when Redis is unreachable: `open` lets requests through, `closed` answers 503. */
  RATE_LIMIT_ON_REDIS_ERROR: z.enum(['open', 'closed']).default('open'),
  /** Bearer token that may read /metrics from anywhere; without it only internal, unproxied peers may. */
  METRICS_TOKEN: optionalString.pipe(z.string().min(16).optional()),
});

export type EnvInput = z.input<typeof envSchema>;
export type Config = Readonly<z.output<typeof envSchema>>;
