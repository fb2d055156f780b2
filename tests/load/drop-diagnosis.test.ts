import { describe, expect, it } from 'vitest';
import {
  CHECKOUT_P99,
  DOWNLOAD_P99,
  dropDiagnosis,
  STOREFRONT_P95,
  STOREFRONT_P99,
} from './drop-diagnosis.ts';
import type { DropFigures } from './drop-run.ts';
import type { StepLatency } from './drop-runner.ts';
import type { LoadTestResult } from './load-test-result.ts';

const step = (p99: number): StepLatency => ({ count: 100, p50: p99 / 2, p95: p99, p99, max: p99 });

/** The parts of a drop's result the diagnosis reads; the rest of the result is not consulted. */
function result(opts: {
  failures: string[];
  /** Storefront p99s (client JSON, client page, the API's own); fast unless given. */
  json?: number;
  page?: number;
  server?: number;
  checkout?: number;
  download?: number;
  apiLoop?: [saturated: number, samples: number];
  workerLoop?: [saturated: number, samples: number];
  /** The API processes' CPU seconds over the run, and how many there were. */
  apiCpu?: number;
  /** Seconds the API's main threads waited for a core while ready to run. */
  apiWait?: number;
  apiProcesses?: number;
  drop?: boolean;
  /** Buyers who paid (default 1,800). */
  paid?: number;
}): LoadTestResult {
  const loop = (l: [number, number] | undefined) =>
    l && { samples: l[1], max: 1, mean: 0.9, saturated: l[0] };
  const drop = {
    storefrontJson: step(opts.json ?? 40),
    storefrontPage: step(opts.page ?? 10),
    checkout: step(opts.checkout ?? 200),
    captureToDownloadMs: step(opts.download ?? 1_000),
    sandboxLatencyMs: 0,
    paid: opts.paid ?? 1_800,
    queue: { backlogMax: 208, backlogMaxAtSeconds: 29.4, drainSeconds: 4.2, samples: 30 },
  } as Partial<DropFigures> as DropFigures;
  return {
    failures: opts.failures,
    server: { storefrontServerLatencyMs: { p50: 0.2, p95: 0.5, p99: opts.server ?? 1 } },
    eventLoop: { api: loop(opts.apiLoop), worker: loop(opts.workerLoop) },
    processCpu: {
      seconds: { api: opts.apiCpu ?? 20.8 },
      ...(opts.apiWait === undefined ? {} : { waitSeconds: { api: opts.apiWait, worker: 9 } }),
      totalSeconds: 57.7,
      wallSeconds: 33.1,
      cores: 2,
      busyShare: 0.87,
    },
    scenario: { stages: [{ duration: '10s', target: 10_000 }] },
    machine: { apiProcesses: opts.apiProcesses ?? 1 },
    ...(opts.drop === false ? {} : { drop }),
  } as Partial<LoadTestResult> as LoadTestResult;
}

describe('dropDiagnosis', () => {
  it('when the drop met its time thresholds, or the run is not a drop, then it says nothing', () => {
    expect(dropDiagnosis(result({ failures: [] }))).toEqual([]);
    const browse = result({ failures: [STOREFRONT_P99], json: 4_000 });
    expect(dropDiagnosis({ ...browse, drop: undefined })).toEqual([]);
  });

  it('when first reads waited far longer than the page and the API itself took, then it names the accept queue and the busy loop', () => {
    const lines = dropDiagnosis(
      result({
        failures: [STOREFRONT_P95, STOREFRONT_P99],
        json: 14_354.85,
        page: 334.61,
        server: 66.13,
        apiLoop: [26, 30],
      }),
    );
    expect(lines[0]).toBe('where the time went:');
    expect(lines[1]).toBe(
      "- storefront: the first read (a new connection) waited before the API took it: JSON p99 14,355 ms against 335 ms for the page on the same connection and 66 ms in the API's own handling; the API's event loop was at 90 % or more in 26 of 30 sampled seconds",
    );
    expect(lines).toContain(
      '- the API: the buyers who arrived over 10 s asked it for 20.8 CPU-s, 2.1 times what its 1 process (one core each) can run in 10 s',
    );
    expect(lines).toContain('- the machine: 57.7 CPU-s in 33.1 s on 2 cores (87 % busy)');
    expect(lines.at(-2)).toMatch(/^- the payments: `--name drop-no-payments`/);
    expect(lines.at(-1)).toMatch(/--find-capacity.*Sizing for a drop/);
  });

  it('when nobody paid, or only checkout missed, then it does not send the reader to the drop without payments', () => {
    const noPayments = result({ failures: [STOREFRONT_P99], json: 400, paid: 0 });
    const checkoutOnly = result({ failures: [CHECKOUT_P99], checkout: 700 });
    for (const lines of [dropDiagnosis(noPayments), dropDiagnosis(checkoutOnly)]) {
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.some((l) => l.includes('drop-no-payments'))).toBe(false);
    }
  });

  it('when the first read is slow like the others and the loop had slack, then it gives the figures without blaming the queue or the loop', () => {
    const [, line] = dropDiagnosis(
      result({ failures: [STOREFRONT_P99], json: 150, page: 120, server: 90, apiLoop: [3, 30] }),
    );
    expect(line).toBe("- storefront: JSON p99 150 ms, page 120 ms, the API's own handling 90 ms");
  });

  it('when checkout and the download miss, then it points at the busy API loop and the worker backlog', () => {
    const lines = dropDiagnosis(
      result({
        failures: [CHECKOUT_P99, DOWNLOAD_P99],
        checkout: 1_072.09,
        download: 5_842.27,
        apiLoop: [22, 28],
        workerLoop: [20, 28],
      }),
    );
    expect(lines).toContain(
      '- checkout: p99 1,072 ms; each of its sequential MongoDB and gateway round trips waits a turn of the busy loop',
    );
    expect(lines).toContain(
      "- capture → download: p99 5,842 ms; the worker's queue backlog peaked at 208 jobs and drained in 4.2 s; the worker's event loop was at 90 % or more in 20 of 28 sampled seconds",
    );
    expect(lines.some((l) => l.startsWith('- storefront'))).toBe(false);
  });

  it('when a loop was busy in fewer than half its samples, then it is not called saturated', () => {
    const lines = dropDiagnosis(
      result({ failures: [CHECKOUT_P99], checkout: 700, apiLoop: [14, 30] }),
    );
    expect(lines).toContain('- checkout: p99 700 ms');
  });

  it('when the API ran on several processes, then its demand is set against all of them', () => {
    const lines = dropDiagnosis(
      result({ failures: [CHECKOUT_P99], checkout: 700, apiCpu: 23.6, apiProcesses: 2 }),
    );
    expect(lines).toContain(
      '- the API: the buyers who arrived over 10 s asked it for 23.6 CPU-s, 1.2 times what its 2 processes (one core each) can run in 10 s',
    );
  });

  it('when the API waited for a core for a quarter of its CPU or more, then its demand line says so', () => {
    const line = (apiWait: number) =>
      dropDiagnosis(
        result({ failures: [CHECKOUT_P99], checkout: 700, apiCpu: 15.2, apiWait }),
      ).find((l) => l.startsWith('- the API:'));
    expect(line(10.4)).toBe(
      "- the API: the buyers who arrived over 10 s asked it for 15.2 CPU-s, 1.5 times what its 1 process (one core each) can run in 10 s; besides, its main thread waited 10.4 s for a core while ready to run (the machine's other processes held the cores)",
    );
    expect(line(3.7)).toBe(
      '- the API: the buyers who arrived over 10 s asked it for 15.2 CPU-s, 1.5 times what its 1 process (one core each) can run in 10 s',
    );
  });
});
