import { describe, expect, it } from 'vitest';
import { buyerPlan, percentile, revisionIn, revisionTitle, staleReads } from './drop-model.js';

describe('drop model', () => {
  it('when a title carries a revision, then the JSON and the page show it and a body without one shows -1', () => {
    const title = revisionTitle('Monsoon Preset Pack', 12);
    expect(title).toBe('Monsoon Preset Pack (rev 12)');
    expect(revisionIn(JSON.stringify({ products: [{ title }] }))).toBe(12);
    expect(revisionIn(`<h2 class="title">${title}</h2>`)).toBe(12);
    expect(revisionIn('{"products":[]}')).toBe(-1);
  });

  it('when a read began after an edit was acknowledged but shows an older revision, then it is stale', () => {
    const edits = [
      { rev: 2, ackAt: 2_000 },
      { rev: 1, ackAt: 1_000 },
    ];
    const reads = [
      { startedAt: 500, rev: 0 }, // before any edit: fine
      { startedAt: 1_000, rev: 0 }, // began at the ack instant, not after it: fine
      { startedAt: 1_001, rev: 0 }, // stale: edit 1 was acknowledged
      { startedAt: 1_500, rev: 2 }, // newer than required: fine (an edit in flight may show)
      { startedAt: 2_500, rev: 1 }, // stale: edit 2 was acknowledged
      { startedAt: 2_600, rev: -1 }, // no revision at all: stale
      { startedAt: 3_000, rev: 2 },
    ];
    expect(staleReads(edits, reads)).toEqual([
      { startedAt: 1_001, rev: 0, expected: 1 },
      { startedAt: 2_500, rev: 1, expected: 2 },
      { startedAt: 2_600, rev: -1, expected: 2 },
    ]);
    expect(staleReads([], [{ startedAt: 1, rev: 0 }])).toEqual([]);
  });

  it('when buyers are planned, then the shares of the scenario hold', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const counts: Record<string, number> = {};
    const n = 100_000;
    const drop = { checkoutShare: 0.2, abandonShare: 0.05, failShare: 0.1 };
    for (let i = 0; i < n; i++) {
      const plan = buyerPlan(drop, random);
      counts[plan] = (counts[plan] ?? 0) + 1;
    }
    const share = (k: string) => (counts[k] ?? 0) / n;
    expect(share('browse')).toBeCloseTo(0.8, 2);
    expect(share('abandoned')).toBeCloseTo(0.2 * 0.05, 2);
    expect(share('failed')).toBeCloseTo(0.2 * 0.05, 2);
    expect(share('failed_then_captured')).toBeCloseTo(0.2 * 0.05, 2);
    expect(share('captured')).toBeCloseTo(0.2 * 0.85, 2);
  });

  it('when percentiles are asked, then they are nearest-rank and null for no values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([], 99)).toBeNull();
  });
});
