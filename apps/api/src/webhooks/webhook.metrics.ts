import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';

/** How a webhook request ended; bounded label values. */
export type WebhookResult = 'accepted' | 'duplicate' | 'bad_signature' | 'invalid' | 'unavailable';

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
  return {
    received: (result: WebhookResult) => received.inc({ result }),
    enqueueFailed: () => enqueueFailures.inc(),
  };
}

export type WebhookMetrics = ReturnType<typeof webhookMetrics>;
