// Waiting for something another process (or a background task) does, when it announces it by no
// event the test can await: read the state again until it holds, within a deadline. Where an
// event exists (a promise, an 'exit', a message), await it instead.
import { setTimeout as sleep } from 'node:timers/promises';

/** How long and how often `pollUntil` and `eventually` read, and what a timeout says. */
export interface PollOptions {
  /** What is awaited, for the timeout message ("order paid"). */
  what?: string;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between reads (default 25 ms). */
  intervalMs?: number;
  /** More to say on timeout (a log tail, say), appended to the message. */
  detail?: () => string;
  /** Stops the polling early: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Reads `read()` until `done(value)` holds and returns that value. Throws when the deadline
 * passes (naming `what` and the last value read) and passes on any error `read` throws, so a
 * condition that never holds fails the test rather than hanging it.
 */
export async function pollUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  opts: PollOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      const detail = opts.detail ? `\n${opts.detail()}` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'condition'} (last: ${show(value)})${detail}`,
      );
    }
    try {
      await sleep(opts.intervalMs ?? 25, undefined, opts.signal ? { signal: opts.signal } : {});
    } catch (err) {
      // Aborted while pausing: reject with the signal's reason, as between reads.
      opts.signal?.throwIfAborted();
      throw err;
    }
  }
}

/** Reads `read()` until it returns a truthy value and returns it (see `pollUntil`). */
export async function eventually<T>(
  read: () => T | Promise<T>,
  opts: PollOptions = {},
): Promise<NonNullable<T>> {
  return (await pollUntil(read, Boolean, opts)) as NonNullable<T>;
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
