import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';

const RESULTS = ['accepted', 'duplicate', 'bad_signature', 'invalid', 'unavailable'] as const;

/** How a webhook request ended; bounded label values. */
export type WebhookResult = (typeof RESULTS)[number];

/** `webhooks_received_total{result}` and `webhook_enqueue_failures_total`. */
export function webhookMetrics(registry: MetricsRegistry) {
  const received = getOrCreateMetric(
    registry,
    'webhooks_received_total',
    () =>
      new promClient.Counter({
        name: 'webhooks_received_total',
        help: 'Razorpay webhook requests by result',
        labelNames: ['result'],
        registers: [registry],
      }),
  );
  const enqueueFailures = getOrCreateMetric(
    registry,
    'webhook_enqueue_failures_total',
    () =>
      new promClient.Counter({
        name: 'webhook_enqueue_failures_total',
        help: 'Webhooks stored in the inbox but not queued (the sweeper re-enqueues them)',
        registers: [registry],
      }),
  );
  // Every result starts at 0, so the first 503 after a start is an increase an alert can see
  // (a series that appears at 1 has no earlier sample for increase() to compare with).
  for (const result of RESULTS) received.inc({ result }, 0);
  return {
    received: (result: WebhookResult) => received.inc({ result }),
    enqueueFailed: () => enqueueFailures.inc(),
  };
}

export type WebhookMetrics = ReturnType<typeof webhookMetrics>;
