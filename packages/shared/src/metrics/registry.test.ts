import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './registry.ts';

async function utilization(registry: ReturnType<typeof createMetricsRegistry>): Promise<number> {
  const metric = await registry.getSingleMetric('event_loop_utilization')?.get();
  const value = metric?.values[0]?.value;
  if (value === undefined) throw new Error('event_loop_utilization is not exported');
  return value;
}

describe('metrics registry', () => {
  it('when the event loop was kept busy since the last scrape, then its utilization is near 1, and near 0 after it waited idle', async () => {
    const registry = createMetricsRegistry({ service: 'test' });
    await utilization(registry); // starts the window here

    const until = performance.now() + 300;
    while (performance.now() < until) {
      // the loop runs code and does not wait: busy
    }
    const busy = await utilization(registry);

    await sleep(300); // the loop waits for a timer: idle, the behaviour under test
    const idle = await utilization(registry);

    expect(busy).toBeGreaterThan(0.8);
    expect(idle).toBeLessThan(0.5);
    expect(await registry.metrics()).toMatch(/^event_loop_utilization\{service="test"\} /m);
  });
});
