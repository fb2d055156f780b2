import { describe, expect, it } from 'vitest';
import { callbackDeferral } from './order-payment.service.ts';

describe('callbackDeferral', () => {
  const schedule = () => Promise.resolve();
  const loopAt = (value: number) => ({ utilization: () => value });

  it('defers while the loop is at least as busy as the threshold in `busy` mode', () => {
    let elu = 0.2;
    const deferral = callbackDeferral({
      mode: 'busy',
      busyElu: 0.9,
      loop: { utilization: () => elu },
      schedule,
    });
    expect(deferral?.wanted()).toBe(false);
    elu = 0.9;
    expect(deferral?.wanted()).toBe(true);
    elu = 0.89;
    expect(deferral?.wanted()).toBe(false);
  });

  it('always defers in `always` mode and gives no deferral in `never` mode', () => {
    expect(
      callbackDeferral({ mode: 'always', busyElu: 0.9, loop: loopAt(0), schedule })?.wanted(),
    ).toBe(true);
    expect(callbackDeferral({ mode: 'never', busyElu: 0, loop: loopAt(1), schedule })).toBe(
      undefined,
    );
  });
});
