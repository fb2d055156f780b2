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
  it('reports an interval spent running code as busy and one spent waiting as idle', async () => {
    // An interval longer than the test: only the explicit samples end intervals.
    const load = watchLoopLoad(60_000);
    try {
      expect(load.utilization()).toBe(0);
      load.sample();
      spin(150);
      const busy = load.sample();
      expect(busy).toBeGreaterThan(0.9);
      expect(load.utilization()).toBe(busy);

      await sleep(150);
      expect(load.sample()).toBeLessThan(0.5);
    } finally {
      load.stop();
    }
  });
});
