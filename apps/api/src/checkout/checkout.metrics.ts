import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';

/** Checkout outcomes: `created`, `not_found`, `gateway_error`, `gateway_timeout`, `error`. */
export type CheckoutResult =
  'created' | 'not_found' | 'gateway_error' | 'gateway_timeout' | 'error';

/** Counts checkouts by outcome and times the Razorpay order creation. */
export function checkoutMetrics(registry: MetricsRegistry) {
  const total = getOrCreateMetric(
    registry,
    'checkouts_total',
    () =>
      new promClient.Counter({
        name: 'checkouts_total',
        help: 'Checkout attempts by result',
        labelNames: ['result'],
        registers: [registry],
      }),
  );
  const gatewaySeconds = getOrCreateMetric(
    registry,
    'razorpay_order_create_seconds',
    () =>
      new promClient.Histogram({
        name: 'razorpay_order_create_seconds',
        help: 'Time Razorpay took to create an order, by outcome',
        labelNames: ['outcome'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
        registers: [registry],
      }),
  );
  return {
    count: (result: CheckoutResult) => total.inc({ result }),
    timeGateway: () => gatewaySeconds.startTimer(),
  };
}

export type CheckoutMetrics = ReturnType<typeof checkoutMetrics>;
