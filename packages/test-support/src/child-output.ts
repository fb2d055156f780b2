import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { TimeoutError, withTimeout } from '@storefront/shared';

/** A child's stdout and stderr being copied into a log. */
export interface ChildOutput {
  /** Resolves once both of the child's streams have ended (their pipes closed). */
  ended: Promise<void>;
  /** Stops copying: what arrives after is dropped. */
  unpipe(): void;
}

/**
 * Copies `child`'s stdout and stderr into `log`, leaving `log` open. The child's 'exit' can come
 * before its last output, and a process that inherited its pipes can write after it: end the log
 * with endLog(), not at the exit, or the late output fails with "write after end".
 */
export function pipeChildOutput(child: ChildProcess, log: Writable): ChildOutput {
  const streams = [child.stdout, child.stderr].filter((s): s is Readable => s !== null);
  for (const s of streams) s.pipe(log, { end: false });
  return {
    ended: Promise.all(streams.map((s) => finished(s).catch(() => undefined))).then(
      () => undefined,
    ),
    unpipe: () => {
      for (const s of streams) s.unpipe(log);
    },
  };
}

/**
 * Ends `log` once every output piped into it has ended, or after `graceMs` (something still holds
 * a pipe open) with the rest unpiped first.
 */
export async function endLog(
  log: Writable,
  outputs: readonly ChildOutput[],
  graceMs = 2_000,
): Promise<void> {
  try {
    await withTimeout(Promise.all(outputs.map((o) => o.ended)), graceMs);
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
  }
  for (const o of outputs) o.unpipe();
  await new Promise<void>((resolve) => {
    log.end(() => resolve());
  });
}
