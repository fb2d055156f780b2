import { describe, expect, it } from 'vitest';
import { eventually, pollUntil } from './eventually.ts';

describe('pollUntil and eventually', () => {
  it('when the condition comes to hold, then the value that satisfied it is returned', async () => {
    let reads = 0;
    const value = await pollUntil(
      () => ++reads,
      (n) => n >= 3,
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
    expect(await eventually(() => Promise.resolve(reads > 0 ? { reads } : undefined))).toEqual({
      reads,
    });
  });

  it('when the condition never holds, then it fails after the deadline naming what and the last value', async () => {
    const started = Date.now();
    await expect(
      eventually(() => ({ status: 'pending' }).status === 'paid', {
        what: 'order paid',
        timeoutMs: 100,
        intervalMs: 10,
        detail: () => '--- log ---',
      }),
    ).rejects.toThrow(
      /^timed out after 100 ms waiting for order paid \(last: false\)\n--- log ---$/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('when a read throws, then the error is passed on at once', async () => {
    await expect(
      pollUntil(
        () => {
          throw new Error('boom');
        },
        () => true,
        { timeoutMs: 60_000 },
      ),
    ).rejects.toThrow('boom');
  });

  it('when the signal aborts, then polling stops with its reason', async () => {
    const abort = new AbortController();
    const waiting = pollUntil(() => false, Boolean, { timeoutMs: 60_000, signal: abort.signal });
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});
