import { readFileSync } from 'node:fs';

/**
 * Runs `fn(0..count-1)` with at most `concurrency` calls in flight; `lane` (0..concurrency-1)
 * names the slot a call runs in, one call at a time per lane.
 */
export async function pool(
  count: number,
  concurrency: number,
  fn: (i: number, lane: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async (_, lane) => {
    while (next < count) await fn(next++, lane);
  });
  await Promise.all(lanes);
}

/** p50/p95/p99/max of `values` (0s when empty). */
export function percentiles(values: number[]): {
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  if (values.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

/**
 * CPU seconds (user + system) process `pid` has used so far, from /proc (Linux); undefined where
 * that cannot be read. For processes that export no metrics: the MongoDB stand-in, redis-server.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
