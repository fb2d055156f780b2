// Before a measurement whose figures depend on the CPU left to it (Lighthouse's simulation, a
// load test's latencies): wait until the machine's CPU has been quiet for a few seconds. This
// reads the CPU directly; the 1-min load average only falls a minute or more after the previous
// run's processes have gone.
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** CPU time used and elapsed over all cores since boot (os.cpus()), in ms. */
export function cpuTime(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const used = times.user + times.nice + times.sys + times.irq;
    busy += used;
    total += used + times.idle;
  }
  return { busy, total };
}

export interface QuietCpuOptions {
  /** Longest wait, in ms; then the caller measures anyway (`quiet` false). */
  maxWaitMs: number;
  /** Share of the CPU busy at or below which a second counts as quiet (default 0.25). */
  quietShare?: number;
  /** Quiet seconds in a row wanted (default 2). */
  quietSeconds?: number;
  signal?: AbortSignal;
  /** Tests: the interval between readings (default 1 s) and the reading itself. */
  everyMs?: number;
  read?: () => { busy: number; total: number };
}

/**
 * Resolves once the CPU was at most `quietShare` busy over `quietSeconds` readings in a row, or
 * after `maxWaitMs` (or on abort). Reports how long it waited, the last reading's busy share and
 * whether the machine was quiet.
 */
export async function waitForQuietCpu(
  opts: QuietCpuOptions,
): Promise<{ waitedMs: number; share: number; quiet: boolean }> {
  const read = opts.read ?? cpuTime;
  const quietShare = opts.quietShare ?? 0.25;
  const wanted = opts.quietSeconds ?? 2;
  const started = Date.now();
  const deadline = started + opts.maxWaitMs;
  let quietInARow = 0;
  let share = 1;
  let last = read();
  while (quietInARow < wanted && Date.now() < deadline && !opts.signal?.aborted) {
    await sleep(opts.everyMs ?? 1000, undefined, { signal: opts.signal }).catch(() => undefined);
    const now = read();
    share = now.total > last.total ? (now.busy - last.busy) / (now.total - last.total) : 0;
    last = now;
    quietInARow = share <= quietShare ? quietInARow + 1 : 0;
  }
  return { waitedMs: Date.now() - started, share, quiet: quietInARow >= wanted };
}
