import { describe, expect, it } from 'vitest';
import { StoppableSleeps } from './stoppable-sleeps.ts';

describe('StoppableSleeps', () => {
  it('resolves true once the time has passed, and forgets the sleep', async () => {
    const sleeps = new StoppableSleeps();
    const started = performance.now();
    const pending = sleeps.sleep(30);
    expect(sleeps.waiting).toBe(1);
    await expect(pending).resolves.toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    expect(sleeps.waiting).toBe(0);
  });

  it('stop() wakes every sleep at once with false, and later sleeps return false at once', async () => {
    const sleeps = new StoppableSleeps();
    const many = Array.from({ length: 1000 }, () => sleeps.sleep(60_000));
    expect(sleeps.waiting).toBe(1000);
    sleeps.stop();
    expect(await Promise.all(many)).toEqual(Array.from({ length: 1000 }, () => false));
    expect(sleeps.waiting).toBe(0);
    expect(sleeps.isStopped).toBe(true);
    await expect(sleeps.sleep(60_000)).resolves.toBe(false);
  });

  it('a sleep that ended is not woken again by stop()', async () => {
    const sleeps = new StoppableSleeps();
    await expect(sleeps.sleep(1)).resolves.toBe(true);
    const later = sleeps.sleep(60_000);
    sleeps.stop();
    await expect(later).resolves.toBe(false);
  });
});
