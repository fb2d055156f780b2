import type { Connection } from 'mongoose';
import type {
  Config,
  Logger,
  MetricsRegistry,
  PaymentOutcomeDeps,
  Redis,
} from '@storefront/shared';
import type { AccountKeysResolver } from './razorpay-clients.ts';

/** What a reconciliation run needs (WorkerDeps provides all of it). */
export interface ReconciliationDeps {
  config: Config;
  logger: Logger;
  metrics: MetricsRegistry;
  mongo: Connection;
  /** Fail-fast connection for the run lock, the call gate and the scan cursor. */
  redis: Redis;
  payments: PaymentOutcomeDeps;
  /** API keys per gateway account; the stored credentials (storedAccountKeys) when absent. */
  accountKeys?: AccountKeysResolver;
}
