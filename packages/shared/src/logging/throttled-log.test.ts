import { afterEach, describe, expect, it, vi } from 'vitest';
import { throttledLog } from './throttled-log.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('throttledLog', () => {
  it('when calls come faster than the interval, then one line per interval is logged with the count it skipped', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const gate = throttledLog(5_000);
    const lines: number[] = [];
    for (let i = 0; i < 4; i++) gate((suppressed) => lines.push(suppressed));
    expect(lines).toEqual([0]);
    vi.advanceTimersByTime(5_000);
    gate((suppressed) => lines.push(suppressed));
    expect(lines).toEqual([0, 3]);
  });
});
