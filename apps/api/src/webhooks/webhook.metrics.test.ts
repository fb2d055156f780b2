import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '@storefront/shared';
import { webhookMetrics } from './webhook.metrics.ts';

describe('webhookMetrics', () => {
  it('when no webhook has arrived yet, then every result is exported at 0', async () => {
    const registry = createMetricsRegistry();
    webhookMetrics(registry);

    const text = await registry.metrics();

    for (const result of ['accepted', 'duplicate', 'bad_signature', 'invalid', 'unavailable']) {
      expect(text).toContain(`webhooks_received_total{result="${result}"} 0\n`);
    }
  });

  it('when a webhook is answered 503, then its result counts 1', async () => {
    const registry = createMetricsRegistry();
    webhookMetrics(registry).received('unavailable');

    expect(await registry.metrics()).toContain('webhooks_received_total{result="unavailable"} 1\n');
  });
});
