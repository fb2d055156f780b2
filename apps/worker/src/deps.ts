import type { Connection } from 'mongoose';
import type {
  Config,
  Logger,
  MetricsRegistry,
  PaymentOutcomes,
  Producers,
  RazorpayCredentialStore,
  Redis,
  Repositories,
} from '@storefront/shared';
import type { Alerter } from './alerts/alert.service.ts';

/**
 * The worker's object graph, built once by startWorker (the composition root); each
 * `register*` function takes from it only what its processor uses.
 */
export interface WorkerDeps {
  config: Config;
  logger: Logger;
  metrics: MetricsRegistry;
  /** For health checks only; data goes through `repos`. */
  mongo: Connection;
  /** One repository per collection. */
  repos: Repositories;
  /** BullMQ connection for workers and schedulers (`maxRetriesPerRequest: null`). */
  queueRedis: Redis;
  /** Fail-fast connection for plain commands (locks, counters). */
  redis: Redis;
  /** Queues the worker produces into (deliveries from webhook processing and reconciliation). */
  producers: Producers;
  /** The single path that applies payment outcomes (marks orders paid, failed, expired). */
  payments: PaymentOutcomes;
  /** Creators' decrypted Razorpay credentials, cached briefly. */
  credentials: RazorpayCredentialStore;
  /** Dead-event and operator alerts (log line, and ALERT_WEBHOOK_URL if set). */
  alerter: Alerter;
  /** Registers a cleanup step run at shutdown, before connections close (e.g. `worker.close()`). */
  onClose: (fn: () => Promise<void> | void) => void;
}
