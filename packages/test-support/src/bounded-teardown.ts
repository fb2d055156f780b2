// Teardown that cannot hang a test file: each step gets a bounded wait, a step that does not
// finish in time is named, and the next step runs regardless (so redis-server is still stopped
// after a close() that hangs).
import { TimeoutError, withTimeout } from '@storefront/shared';

/** One teardown step: its name, and what to await (undefined: nothing to tear down). */
export type TeardownStep = [name: string, step: (() => Promise<void>) | undefined];

/**
 * Runs `steps` in order, each within `stepMs`; resolves with the names of those that did not
 * finish in time. A step that fails rejects the teardown, as it would unbounded.
 */
export async function boundedTeardown(
  stepMs: number,
  steps: readonly TeardownStep[],
): Promise<string[]> {
  const hung: string[] = [];
  for (const [name, step] of steps) {
    if (!step) continue;
    try {
      await withTimeout(step(), stepMs);
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
      hung.push(name);
    }
  }
  return hung;
}
