import { performance } from 'node:perf_hooks';
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
  it('when the event loop was kept busy since the last scrape, then its utilization is near 1, and after it waited, what Node measured for that wait', async () => {
    const registry = createMetricsRegistry({ service: 'test' });
    await utilization(registry); // starts the window here

    const until = performance.now() + 300;
    while (performance.now() < until) {
      // the loop runs code and does not wait: busy
    }
    const busy = await utilization(registry);

    // The loop waits for a timer: idle unless other work shares it (this suite runs files in
    // shared workers), so the scrape is checked against Node's own reading of the same wait.
    const from = performance.eventLoopUtilization();
    await sleep(300);
    const reference = performance.eventLoopUtilization(performance.eventLoopUtilization(), from);
    const waited = await utilization(registry);

    expect(busy).toBeGreaterThan(0.8);
    expect(Math.abs(waited - reference.utilization)).toBeLessThan(0.05);
    expect(await registry.metrics()).toMatch(/^event_loop_utilization\{service="test"\} /m);
  });
});
