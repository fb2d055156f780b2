import { createMetricsRegistry } from '@storefront/shared';
import { describe, expect, it } from 'vitest';
import { loopFigures, loopLine, loopUtilizationIn } from './loop-monitor.ts';

describe('event loop figures of a load run', () => {
  it('when samples are summarised, then max, mean and the saturated count come out, and none gives n/a', () => {
    const f = loopFigures([0.5, 0.95, 0.9, 0.2]);
    expect(f).toEqual({ samples: 4, max: 0.95, mean: 0.638, saturated: 2 });
    expect(loopFigures([])).toEqual({ samples: 0, max: null, mean: null, saturated: 0 });
    expect(loopLine({ API: f, worker: undefined })).toBe(
      'event loop busy while the buyers ran (sampled each second): API max 95 %, mean 64 %, ≥ 90 % in 2 of 4',
    );
    expect(loopLine({ API: loopFigures([]) })).toMatch(/: n\/a$/);
  });

  it("when a process's metrics are read, then the gauge's busiest value is taken, and a scrape without it gives undefined", async () => {
    const registry = createMetricsRegistry();
    const value = loopUtilizationIn(await registry.metrics());
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
    // An API cluster's primary renders one series per label set; the largest is the busiest.
    const cluster = [
      '# TYPE event_loop_utilization gauge',
      'event_loop_utilization{service="api"} 0.42',
      'event_loop_utilization{service="api",process="2"} 0.97',
    ].join('\n');
    expect(loopUtilizationIn(cluster)).toBe(0.97);
    expect(loopUtilizationIn('process_cpu_seconds_total 3\n')).toBeUndefined();
  });
});
