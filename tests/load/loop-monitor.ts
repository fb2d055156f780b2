import { has, parsePrometheusText } from '@storefront/test-support';
import { MetricsSampler } from './metrics-sampler.ts';

// How busy the API's event loop was while the buyers ran, once a second: where a run misses its
// latency goals, this says whether the one loop had no slack left (every new connection and
// request then waits for the ones before it) or the time went elsewhere. Read from the
// processes' own `event_loop_utilization` gauge, which covers the time since the previous scrape.

/** A sample at or above this share of busy time counts as saturated. */
export const SATURATED = 0.9;

/** Event loop utilization over a run's samples (0–1; null without samples). */
export interface LoopFigures {
  samples: number;
  max: number | null;
  mean: number | null;
  /** Samples at or above SATURATED. */
  saturated: number;
}

/** The gauge's value in a scrape (the busiest process of an API cluster); undefined without it. */
export function loopUtilizationIn(metricsText: string): number | undefined {
  const samples = parsePrometheusText(metricsText);
  if (!has(samples, 'event_loop_utilization')) return undefined;
  return Math.max(
    ...samples.filter((s) => s.name === 'event_loop_utilization').map((s) => s.value),
  );
}

export function loopFigures(values: readonly number[]): LoopFigures {
  if (values.length === 0) return { samples: 0, max: null, mean: null, saturated: 0 };
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    samples: values.length,
    max: round(Math.max(...values)),
    mean: round(values.reduce((a, b) => a + b, 0) / values.length),
    saturated: values.filter((v) => v >= SATURATED).length,
  };
}

/** `event loop busy while the buyers ran (sampled each second): API max 96 %, mean 71 %, ≥ 90 % in 9 of 19; …` */
export function loopLine(byProcess: Record<string, LoopFigures | undefined>): string {
  const pct = (n: number | null) => (n === null ? 'n/a' : `${Math.round(n * 100)} %`);
  const parts = Object.entries(byProcess)
    .filter((e): e is [string, LoopFigures] => e[1] !== undefined && e[1].samples > 0)
    .map(
      ([name, f]) =>
        `${name} max ${pct(f.max)}, mean ${pct(f.mean)}, ≥ ${SATURATED * 100} % in ${f.saturated} of ${f.samples}`,
    );
  return `event loop busy while the buyers ran (sampled each second): ${parts.length ? parts.join('; ') : 'n/a'}`;
}

/**
 * Samples one process's `event_loop_utilization` every second from `read` (its metrics text;
 * undefined or a throw when unreachable: that second is skipped). Nothing else may scrape the
 * process meanwhile, or samples cover less than a second. The first sample covers from the
 * process's previous scrape to a second after start().
 */
export class LoopMonitor {
  private readonly samples: Array<{ at: number; value: number }> = [];
  private readonly sampler: MetricsSampler;
  private stoppedAt = Infinity;

  constructor(read: () => Promise<string | undefined>) {
    this.sampler = new MetricsSampler(read, (text, at) => {
      const value = loopUtilizationIn(text);
      if (value !== undefined) this.samples.push({ at, value });
    });
  }

  start(): void {
    this.sampler.start();
  }

  stop(): void {
    this.stoppedAt = Date.now();
    this.sampler.stop();
  }

  /** The samples taken until stop() (one under way then covers time after the run: left out). */
  figures(): LoopFigures {
    return loopFigures(this.samples.filter((s) => s.at <= this.stoppedAt).map((s) => s.value));
  }
}
