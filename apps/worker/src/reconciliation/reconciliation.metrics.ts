import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';

/** How a run ended. `skipped`: another run held the lock. */
export type RunResult = 'completed' | 'interrupted' | 'skipped' | 'error';

/**
 * What one order check found or did (also the `outcome` of its transactions log entry).
 * `deferred`: Razorpay could not be reached (429/5xx/timeout/network); the next run retries.
 */
export type OrderOutcome =
  | 'marked_paid'
  | 'already_paid'
  | 'capture_mismatch'
  | 'marked_failed'
  | 'marked_expired'
  | 'already_closed'
  | 'awaiting_capture'
  | 'in_progress'
  | 'within_window'
  | 'deferred'
  | 'error';

/** The reconciliation metrics, registered once per registry. */
export interface ReconciliationMetrics {
  runs: promClient.Counter<'result'>;
  orders: promClient.Counter<'outcome'>;
  /** `status`: the HTTP status, or `timeout` / `network` when there was no answer. */
  razorpayCalls: promClient.Counter<'status'>;
  oldestPendingAge: promClient.Gauge;
  /** Unix time of the last `completed` run (0 until this process completes one). */
  lastSuccess: promClient.Gauge;
}

/** Returns the reconciliation metrics of `registry`, creating them the first time. */
export function reconciliationMetrics(registry: MetricsRegistry): ReconciliationMetrics {
  return {
    runs: getOrCreateMetric(
      registry,
      'reconciliation_runs_total',
      () =>
        new promClient.Counter({
          name: 'reconciliation_runs_total',
          help: 'Reconciliation runs by how they ended.',
          labelNames: ['result'],
          registers: [registry],
        }),
    ),
    orders: getOrCreateMetric(
      registry,
      'reconciliation_orders_total',
      () =>
        new promClient.Counter({
          name: 'reconciliation_orders_total',
          help: 'Orders checked by reconciliation, by outcome.',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    razorpayCalls: getOrCreateMetric(
      registry,
      'razorpay_calls_total',
      () =>
        new promClient.Counter({
          name: 'razorpay_calls_total',
          help: 'Calls to the Razorpay API by answer status (or timeout / network).',
          labelNames: ['status'],
          registers: [registry],
        }),
    ),
    oldestPendingAge: getOrCreateMetric(
      registry,
      'reconciliation_oldest_pending_order_age_seconds',
      () =>
        new promClient.Gauge({
          name: 'reconciliation_oldest_pending_order_age_seconds',
          help: 'Age of the oldest pending order at the last reconciliation run (0 when none).',
          registers: [registry],
        }),
    ),
    lastSuccess: getOrCreateMetric(
      registry,
      'reconciliation_last_success_timestamp_seconds',
      () =>
        new promClient.Gauge({
          name: 'reconciliation_last_success_timestamp_seconds',
          help: 'Unix time the last completed reconciliation run in this process finished (0: none yet).',
          registers: [registry],
        }),
    ),
  };
}
