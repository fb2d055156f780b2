import { describe, expect, it } from 'vitest';
import { cpuTime, waitForQuietCpu } from './quiet-cpu.ts';

/** Readings whose successive differences are the given busy shares (out of 1,000 ms each). */
function readings(shares: number[]) {
  let busy = 0;
  let total = 0;
  const left = [...shares];
  let reads = 0;
  const read = () => {
    reads += 1;
    if (reads > 1) {
      const share = left.shift() ?? 0;
      busy += share * 1000;
      total += 1000;
    }
    return { busy, total };
  };
  return { read, reads: () => reads };
}

describe('waitForQuietCpu', () => {
  it('returns after the wanted quiet readings in a row; a busy one starts the count again', async () => {
    const r = readings([0.9, 0.1, 0.8, 0.2, 0.25, 0.9]);
    const out = await waitForQuietCpu({ maxWaitMs: 10_000, everyMs: 1, read: r.read });
    expect(out).toMatchObject({ quiet: true, share: 0.25 });
    expect(r.reads()).toBe(6); // the first reading, then five: 0.9, 0.1, 0.8, 0.2, 0.25
  });

  it('gives up after the longest wait and says so', async () => {
    const r = readings(Array.from({ length: 10_000 }, () => 1));
    const out = await waitForQuietCpu({ maxWaitMs: 30, everyMs: 5, read: r.read });
    expect(out.quiet).toBe(false);
    expect(out.share).toBe(1);
    expect(out.waitedMs).toBeGreaterThanOrEqual(30);
  });

  it('reads this machine: busy never above the time elapsed', () => {
    const a = cpuTime();
    const b = cpuTime();
    expect(b.total).toBeGreaterThanOrEqual(a.total);
    expect(a.busy).toBeLessThanOrEqual(a.total);
  });
});
