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
 * A meter of the event loop's utilization (the share of time it spent running code rather than
 * waiting for I/O: Node's `performance.eventLoopUtilization`): each call returns it over the time
 * since the previous call (since the meter was made, the first time).
 */
export function loopUtilizationMeter(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const value = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return value;
  };
}

/**
 * Samples the event loop's utilization (loopUtilizationMeter) every `intervalMs`. A saturated
 * loop runs the timer late, and that interval then covers the whole busy stretch.
 */
export function watchLoopLoad(intervalMs = 500): LoopLoad {
  const meter = loopUtilizationMeter();
  let value = 0;
  const sample = (): number => {
    value = meter();
    return value;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return { utilization: () => value, sample, stop: () => clearInterval(timer) };
}
