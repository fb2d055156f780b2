import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { watchLoopLoad } from './loop-load.ts';

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // keep the event loop busy
  }
}

describe('watchLoopLoad', () => {
  it('reports an interval spent running code as busy, and each interval as Node measures that one alone', async () => {
    // An interval longer than the test: only the explicit samples end intervals.
    const load = watchLoopLoad(60_000);
    try {
      expect(load.utilization()).toBe(0);
      load.sample();
      spin(150);
      const busy = load.sample();
      expect(busy).toBeGreaterThan(0.9);
      expect(load.utilization()).toBe(busy);

      // Waiting: the loop is idle unless other work shares it (this suite runs files in shared
      // workers), so the interval is checked against Node's own reading of the same stretch.
      const from = performance.eventLoopUtilization();
      await sleep(150);
      const reference = performance.eventLoopUtilization(performance.eventLoopUtilization(), from);
      const waited = load.sample();
      expect(Math.abs(waited - reference.utilization)).toBeLessThan(0.05);
      expect(load.utilization()).toBe(waited);
    } finally {
      load.stop();
    }
  });
});
