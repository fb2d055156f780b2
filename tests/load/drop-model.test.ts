import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buyerPlan,
  buyersPay,
  nextPoll,
  nextPollDelay,
  statusQuery,
  WAITED_MS,
  percentile,
  revisionIn,
  revisionTitle,
  staleReads,
} from './drop-model.js';
import { loadScenario, scenarioFileOf } from './scenario.ts';

/** The order page's backoff while an order is pending, read from its script. */
function orderPageSchedule(): {
  first: number;
  factor: number;
  max: number;
  wait: number;
  waited: number;
} {
  const page = readFileSync(
    new URL('../../apps/api/src/pages/assets/order.js', import.meta.url),
    'utf8',
  );
  const first = /^let delay = (\d+);$/m.exec(page);
  const next = /delay = Math\.min\(Math\.round\(delay \* ([\d.]+)\), (\d+)\);/.exec(page);
  const wait = /^const WAIT_SECONDS = (\d+);$/m.exec(page);
  const waited = /^const WAITED_MS = (\d+);$/m.exec(page);
  if (!first || !next || !wait || !waited) {
    throw new Error('the order page no longer reads as this test expects');
  }
  return {
    first: Number(first[1]),
    factor: Number(next[1]),
    max: Number(next[2]),
    wait: Number(wait[1]),
    waited: Number(waited[1]),
  };
}

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

  it('when no planned buyer can pay, then the scenario is one without payments', () => {
    expect(buyersPay({ checkoutShare: 0.2, abandonShare: 0.05, failShare: 0.1 })).toBe(true);
    expect(buyersPay({ checkoutShare: 0.2, abandonShare: 0.9, failShare: 0.2 })).toBe(false);
    expect(buyersPay({ checkoutShare: 0.2, abandonShare: 1, failShare: 0 })).toBe(false);
    expect(buyersPay({ checkoutShare: 0, abandonShare: 0.05, failShare: 0.1 })).toBe(false);
    // Half of the failed retry and pay: 0.5 abandon + 0.9 failed leaves 0.05 paying.
    expect(buyersPay({ checkoutShare: 0.2, abandonShare: 0.5, failShare: 0.9 })).toBe(true);
  });

  it('when a buyer polls their order, then the pauses grow as on the order page and stop growing at the cap', () => {
    const drop = { pollIntervalMs: 1_000, pollBackoff: 1.5, pollMaxIntervalMs: 8_000 };
    const pauses: number[] = [];
    let pause: number | undefined;
    for (let i = 0; i < 8; i++) pauses.push((pause = nextPollDelay(drop, pause)));
    expect(pauses).toEqual([1_000, 1_500, 2_250, 3_375, 5_063, 7_595, 8_000, 8_000]);
    const fixed = { pollIntervalMs: 500, pollBackoff: 1, pollMaxIntervalMs: 500 };
    expect(nextPollDelay(fixed, nextPollDelay(fixed, undefined))).toBe(500);
  });

  it('when a read was held by the API, then the next follows at once and the backoff is kept; when it was not, the backoff goes on', () => {
    const drop = {
      pollIntervalMs: 1_000,
      pollBackoff: 1.5,
      pollMaxIntervalMs: 8_000,
      pollWaitSeconds: 20,
    };
    expect(statusQuery(drop)).toBe('?wait=20');
    expect(nextPoll(drop, undefined, 20_004)).toEqual({ pause: 0, backoff: undefined });
    expect(nextPoll(drop, 1_500, WAITED_MS)).toEqual({ pause: 0, backoff: 1_500 });
    expect(nextPoll(drop, undefined, 12)).toEqual({ pause: 1_000, backoff: 1_000 });
    expect(nextPoll(drop, 1_000, WAITED_MS - 1)).toEqual({ pause: 1_500, backoff: 1_500 });
    // Without waiting, a slow answer is no reason to skip the pause.
    const noWait = { ...drop, pollWaitSeconds: 0 };
    expect(statusQuery(noWait)).toBe('');
    expect(nextPoll(noWait, undefined, 20_004)).toEqual({ pause: 1_000, backoff: 1_000 });
  });

  it('when the drop scenario is read, then its poll schedule is the one of the order page', () => {
    const { drop } = loadScenario(scenarioFileOf('drop'));
    const page = orderPageSchedule();
    expect(drop).toMatchObject({
      pollWaitSeconds: page.wait,
      pollIntervalMs: page.first,
      pollBackoff: page.factor,
      pollMaxIntervalMs: page.max,
    });
    expect(WAITED_MS).toBe(page.waited);
  });

  it('when percentiles are asked, then they are nearest-rank and null for no values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([], 99)).toBeNull();
  });
});
