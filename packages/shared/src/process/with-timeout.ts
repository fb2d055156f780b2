/** What `withTimeout` rejects with when the budget runs out first. */
export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Settles like `promise`, or rejects with TimeoutError after `ms` (a negative budget counts as
 * 0). The timer is cleared either way; the operation itself is not cancelled and may still
 * finish later, so callers use this only where that is harmless.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const budget = Math.max(0, ms);
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(budget)), budget);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
