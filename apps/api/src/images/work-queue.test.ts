import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '@storefront/shared';
import { InFlightLimit, WorkQueue } from './work-queue.ts';

/** A task that runs until `release` is called. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { release, task: () => done };
}

describe('WorkQueue', () => {
  it('when more tasks than slots arrive, then they run one slot at a time in order, and past the waiting room the next is refused with 503', async () => {
    const queue = new WorkQueue({ concurrency: 1, maxWaiting: 2 });
    const order: string[] = [];
    const first = gate();
    const a = queue.run(async () => {
      order.push('a');
      await first.task();
    });
    const b = queue.run(() => {
      order.push('b');
      return Promise.resolve();
    });
    const c = queue.run(() => {
      order.push('c');
      return Promise.resolve();
    });
    expect(queue.running).toBe(1);
    expect(queue.queued).toBe(2);
    await expect(queue.run(() => Promise.resolve('d'))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(order).toEqual(['a']);

    first.release();
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(queue.running).toBe(0);
    expect(queue.queued).toBe(0);
  });

  it('when a task fails, then its slot is freed for the next', async () => {
    const queue = new WorkQueue({ concurrency: 1, maxWaiting: 1 });
    const failing = queue.run(() => Promise.reject(new Error('boom')));
    const next = queue.run(() => Promise.resolve('ran'));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
    expect(queue.running).toBe(0);
  });
});

describe('InFlightLimit', () => {
  it('when the limit is reached, then the next task is refused with 503 at once, and admitted again once one finishes', async () => {
    const limit = new InFlightLimit(2);
    const one = gate();
    const two = gate();
    const a = limit.run(one.task);
    const b = limit.run(two.task);
    expect(limit.inFlight).toBe(2);
    await expect(limit.run(() => Promise.resolve('c'))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    one.release();
    await a;
    await expect(limit.run(() => Promise.resolve('d'))).resolves.toBe('d');
    two.release();
    await b;
    expect(limit.inFlight).toBe(0);
  });
});
