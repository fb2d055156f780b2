import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';

/**
 * How a checkout callback ended: `paid` (this call marked the order paid), `already_paid`,
 * `deferred` (a busy API left the check to the worker's order check, a few seconds later, and to
 * webhooks), `pending` (authorized or still in progress: left to webhooks and reconciliation), `failed` (a
 * failed attempt was recorded), `amount_mismatch` (captured, but not the order's amount; alerted),
 * `bad_signature`, `mismatch` (the payment is not for this order), `gateway_error` (Razorpay
 * unreachable, slow or refusing), `error` (our side: account unusable, database).
 */
export type CheckoutCallbackOutcome =
  | 'paid'
  | 'already_paid'
  | 'deferred'
  | 'pending'
  | 'failed'
  | 'amount_mismatch'
  | 'bad_signature'
  | 'mismatch'
  | 'gateway_error'
  | 'error';

/** Counts `POST /api/v1/orders/:id/payment` calls by outcome. */
export function checkoutCallbackMetrics(registry: MetricsRegistry) {
  const total = getOrCreateMetric(
    registry,
    'checkout_payment_callbacks_total',
    () =>
      new promClient.Counter({
        name: 'checkout_payment_callbacks_total',
        help: "Buyers' Checkout payment callbacks by outcome",
        labelNames: ['outcome'],
        registers: [registry],
      }),
  );
  return { count: (outcome: CheckoutCallbackOutcome) => total.inc({ outcome }) };
}

export type CheckoutCallbackMetrics = ReturnType<typeof checkoutCallbackMetrics>;
