import { describe, expect, it } from 'vitest';
import type { ProcessCpu } from './process-cpu.ts';
import {
  dropEstimate,
  estimateLines,
  STEPS,
  stepCost,
  stepCostTable,
  type JourneyMix,
  type StepCost,
} from './step-cost-report.ts';

const cpu = (seconds: ProcessCpu['seconds']): ProcessCpu => {
  const total = Object.values(seconds).reduce((a, b) => a + (b ?? 0), 0);
  return { seconds, totalSeconds: total, wallSeconds: 2, cores: 2, busyShare: total / 4 };
};

describe('stepCost', () => {
  it('divides each group’s CPU seconds by the operations, in milliseconds', () => {
    const c = stepCost('checkout', 1000, cpu({ api: 3.8, mongo: 0.75, orchestrator: 0.7 }));
    expect(c.perOpMs.api).toBeCloseTo(3.8);
    expect(c.perOpMs.mongo).toBeCloseTo(0.75);
    expect(c.perOpMs.worker).toBeUndefined();
    expect(c.totalMs).toBeCloseTo(5.25);
  });

  it('refuses a step with no operations', () => {
    expect(() => stepCost('page', 0, cpu({ api: 1 }))).toThrow(/no operations/);
  });
});

// One millisecond of API and one of "buyers + stand-ins" (orchestrator) per step, except the
// payment: 10 ms of API, 5 of worker.
const costs: StepCost[] = STEPS.map((step) =>
  stepCost(
    step,
    1000,
    step === 'payment' ? cpu({ api: 10, worker: 5 }) : cpu({ api: 1, orchestrator: 1 }),
  ),
);
const mix: JourneyMix = {
  buyers: 10_000,
  checkoutShare: 0.2,
  paidShare: 0.9,
  pollsPerPaidBuyer: 2,
  spikeSeconds: 10,
  cores: 2,
};

describe('dropEstimate', () => {
  it('adds up a browsing and a paying buyer and the spike’s demand against the cores', () => {
    const e = dropEstimate(costs, mix);
    expect(e.browserMs).toBeCloseTo(4); // storefront 2 + page 2
    expect(e.payingBuyerMs).toBeCloseTo(2 + 15 + 2 + 2 * 2); // checkout, payment, callback, polls
    // 10,000 browse (40 s); 1,800 pay (41.4 s); 200 only check out (0.4 s).
    expect(e.demandSeconds).toBeCloseTo(40 + 41.4 + 0.4);
    expect(e.availableSeconds).toBe(20);
    expect(e.ratio).toBeCloseTo(81.8 / 20);
    // Without the orchestrator: browse 2 ms, paying 1 + 15 + 1 + 2 ms, checkout-only 1 ms.
    expect(e.systemDemandSeconds).toBeCloseTo(20 + 1800 * 0.019 + 0.2);
  });

  it('needs every step measured', () => {
    expect(() => dropEstimate(costs.slice(1), mix)).toThrow(/storefront/);
  });
});

describe('the printout', () => {
  it('has a column per group that used CPU, a row per step, and the estimate lines', () => {
    const table = stepCostTable(costs).split('\n');
    expect(table[0]).toBe('| step | ops | API ms | worker ms | buyers + stand-ins ms | total ms |');
    expect(table).toHaveLength(2 + STEPS.length);
    expect(table[5]).toBe(
      '| payment: webhooks accepted, applied, delivered | 1000 | 10.000 | 5.000 | – | 15.000 |',
    );
    const lines = estimateLines(dropEstimate(costs, mix), mix);
    expect(lines[0]).toContain('one browsing buyer: 4.00 ms');
    expect(lines[1]).toContain('asks 81.8 CPU-s; 2 cores give 20.0 in 10 s: 4.09×');
  });
});
