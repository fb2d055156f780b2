import { describe, expect, it } from 'vitest';
import { backoffMs } from './razorpay-gate.ts';

describe('backoffMs', () => {
  it('when failures repeat, then the pause doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 1_000, 10_000, 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('when jitter is drawn, then the pause stays between half and all of the exponential step', () => {
    expect(backoffMs(3, 1_000, 60_000, 0)).toBe(2_000);
    expect(backoffMs(3, 1_000, 60_000, 0.5)).toBe(3_000);
    for (let i = 0; i < 100; i += 1) {
      const pause = backoffMs(4, 1_000, 60_000, Math.random());
      expect(pause).toBeGreaterThanOrEqual(4_000);
      expect(pause).toBeLessThanOrEqual(8_000);
    }
  });
});
