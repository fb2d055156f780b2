import { ServiceUnavailableError } from '@storefront/shared';

/**
 * Runs at most `concurrency` tasks at once; up to `maxWaiting` more wait in order, and past that
 * `run` refuses at once with 503 (a burst of uploads must not pile up memory or starve the
 * storefront of CPU).
 */
export class WorkQueue {
  private readonly concurrency: number;
  private readonly maxWaiting: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(opts: { concurrency: number; maxWaiting: number }) {
    this.concurrency = opts.concurrency;
    this.maxWaiting = opts.maxWaiting;
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new ServiceUnavailableError('Image processing is busy; try again shortly');
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (it stays counted as active).
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

/**
 * At most `max` tasks in flight; one more is refused at once with 503. Bounds what uploads can
 * hold in memory together (each reads its whole body), reading included, where WorkQueue bounds
 * only the CPU-heavy part.
 */
export class InFlightLimit {
  private readonly max: number;
  private count = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** Tasks in flight now. */
  get inFlight(): number {
    return this.count;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.count >= this.max) {
      throw new ServiceUnavailableError('Too many image uploads in progress; try again shortly');
    }
    this.count += 1;
    try {
      return await task();
    } finally {
      this.count -= 1;
    }
  }
}
