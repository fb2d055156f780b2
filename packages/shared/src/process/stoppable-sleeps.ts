/**
 * Sleeps that one `stop()` ends early, for code that holds thousands of them at once (a load
 * generator's buyers thinking, a webhook sender's retry pauses). `timers/promises` with an
 * AbortSignal adds one listener to the signal per sleep, and an EventTarget keeps its listeners
 * in a list that every add walks: with n sleeps waiting, each new one costs O(n), and a drop's
 * 10,000 buyers spent several per cent of the generator's CPU there. Here a sleep is one timer and
 * one Set entry; `stop()` wakes them all.
 */
export class StoppableSleeps {
  private readonly waking = new Set<() => void>();
  private stopped = false;

  /** Resolves true after `ms`, or false at once or as soon as `stop()` is called. */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waking.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(
        () => {
          this.waking.delete(wake);
          resolve(true);
        },
        Math.max(0, ms),
      );
      this.waking.add(wake);
    });
  }

  /** Wakes every sleep now (they resolve false); later sleeps resolve false at once. */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.waking]) wake();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Sleeps waiting now. */
  get waiting(): number {
    return this.waking.size;
  }
}
