import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** How busy this process's event loop has been lately. */
export interface LoopLoad {
  /** Event loop utilization (0–1) over the last completed interval; 0 before the first. */
  utilization(): number;
  /** Ends the interval now (the timer does this every `intervalMs`); returns its utilization. */
  sample(): number;
  stop(): void;
}

/**
 * Samples the event loop's utilization (the share of time it spent running code rather than
 * waiting for I/O: Node's `performance.eventLoopUtilization`) every `intervalMs`. A saturated
 * loop runs the timer late, and that interval then covers the whole busy stretch.
 */
export function watchLoopLoad(intervalMs = 500): LoopLoad {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let value = 0;
  const sample = (): number => {
    const now = performance.eventLoopUtilization();
    value = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return value;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return { utilization: () => value, sample, stop: () => clearInterval(timer) };
}
