import { getOrCreateMetric, promClient, type MetricsRegistry } from '@storefront/shared';

const KNOWN_EVENTS = new Set([
  'payment.authorized',
  'payment.captured',
  'payment.failed',
  'order.paid',
]);

/** Event name as a bounded label value. */
export function eventLabel(event: string): string {
  return KNOWN_EVENTS.has(event) ? event : 'other';
}

/** The webhook processing metrics, registered once per registry. */
export function webhookMetrics(registry: MetricsRegistry) {
  return {
    processed: getOrCreateMetric(
      registry,
      'webhooks_processed_total',
      () =>
        new promClient.Counter({
          name: 'webhooks_processed_total',
          help: 'Webhook processing attempts by event and outcome (paid, already_paid, …, retry, dead)',
          labelNames: ['event', 'outcome'],
          registers: [registry],
        }),
    ),
    duration: getOrCreateMetric(
      registry,
      'webhook_processing_duration_seconds',
      () =>
        new promClient.Histogram({
          name: 'webhook_processing_duration_seconds',
          help: 'Time to process one webhook event attempt',
          labelNames: ['event'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers: [registry],
        }),
    ),
    retried: getOrCreateMetric(
      registry,
      'events_retried_total',
      () =>
        new promClient.Counter({
          name: 'events_retried_total',
          help: 'Webhook events scheduled for a retry after a failed attempt',
          registers: [registry],
        }),
    ),
    dead: getOrCreateMetric(
      registry,
      'events_dead_total',
      () =>
        new promClient.Counter({
          name: 'events_dead_total',
          help: 'Webhook events that went dead (retries exhausted or permanent failure)',
          registers: [registry],
        }),
    ),
  };
}

export type WebhookMetrics = ReturnType<typeof webhookMetrics>;
