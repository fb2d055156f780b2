import type {
  Config,
  Logger,
  MetricsRegistry,
  OrderRepository,
  PaymentOutcomes,
  Redis,
  TransactionRepository,
} from '@storefront/shared';
import type { RazorpayClients } from './razorpay-clients.ts';

/** What a reconciliation run needs; the worker's composition root provides it. */
export interface ReconciliationDeps {
  config: Config;
  logger: Logger;
  metrics: MetricsRegistry;
  orders: OrderRepository;
  transactions: TransactionRepository;
  /** Fail-fast connection for the run lock, the call gate and the scan cursor. */
  redis: Redis;
  payments: PaymentOutcomes;
  /** Razorpay clients per gateway account, built once per process (createRazorpayClients). */
  razorpay: RazorpayClients;
}
