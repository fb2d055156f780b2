import { describe, expect, it } from 'vitest';
import { MetricsSampler } from './metrics-sampler.ts';

describe('MetricsSampler', () => {
  it('when readings come, then each is handed over with its time, and a failed one is skipped', async () => {
    let reads = 0;
    const got: Array<{ text: string; at: number }> = [];
    const started = Date.now();
    let sampler: MetricsSampler | undefined;
    await new Promise<void>((resolve) => {
      sampler = new MetricsSampler(
        () => {
          reads += 1;
          return reads === 1
            ? Promise.reject(new Error('unreachable'))
            : Promise.resolve(`m ${reads}`);
        },
        (text, at) => {
          got.push({ text, at });
          if (got.length === 2) {
            sampler?.stop();
            resolve();
          }
        },
        0,
      );
      sampler.start();
    });
    expect(got.map((g) => g.text)).toEqual(['m 2', 'm 3']);
    expect(got[0]!.at).toBeGreaterThanOrEqual(started);
    expect(got[1]!.at).toBeGreaterThan(got[0]!.at);
    expect(reads).toBe(3);
  });
});
