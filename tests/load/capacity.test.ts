import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appendCapacityRow,
  CAPACITY_END_MARKER,
  CAPACITY_HEADER,
  capacityReport,
  LOAD_BOUND_THRESHOLDS,
  repeatedVerdict,
  searchCapacity,
  verdictOf,
  type CapacityResult,
  type SearchOptions,
  type Verdict,
} from './capacity.ts';

const dir = mkdtempSync(join(tmpdir(), 'capacity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A machine that serves up to `limit` buyers within the thresholds. */
function machine(limit: number) {
  const sizes: number[] = [];
  const probe = (size: number): Promise<Verdict> => {
    sizes.push(size);
    return Promise.resolve(size <= limit ? 'within' : 'over');
  };
  return { probe, sizes };
}

const SEARCH: SearchOptions = { from: 1000, min: 250, max: 10_000, resolution: 250 };

describe('searchCapacity', () => {
  it('doubles while within, then bisects to the resolution', async () => {
    const m = machine(1700);
    const r = await searchCapacity(m.probe, SEARCH);
    expect(m.sizes).toEqual([1000, 2000, 1500, 1750]);
    expect(r).toMatchObject({ capacity: 1500, over: 1750 });
    expect(r.tried.map((t) => t.verdict)).toEqual(['within', 'over', 'within', 'over']);
  });

  it('brackets the limit within the resolution for any limit, trying only sizes in bounds', async () => {
    for (let limit = 100; limit <= 12_000; limit += 137) {
      const m = machine(limit);
      const r = await searchCapacity(m.probe, SEARCH);
      for (const s of m.sizes) {
        expect(s).toBeGreaterThanOrEqual(SEARCH.min);
        expect(s).toBeLessThanOrEqual(SEARCH.max);
      }
      expect(new Set(m.sizes).size).toBe(m.sizes.length);
      if (limit < SEARCH.min) {
        expect(r).toMatchObject({ capacity: null, over: SEARCH.min });
      } else if (limit >= SEARCH.max) {
        expect(r).toMatchObject({ capacity: SEARCH.max, over: null });
      } else {
        expect(r.capacity).not.toBeNull();
        expect(r.over).not.toBeNull();
        expect(r.capacity as number).toBeLessThanOrEqual(limit);
        expect(r.over as number).toBeGreaterThan(limit);
        expect((r.over as number) - (r.capacity as number)).toBeLessThanOrEqual(SEARCH.resolution);
      }
      expect(m.sizes.length).toBeLessThanOrEqual(12);
    }
  });

  it('halves from a first size that is over', async () => {
    const m = machine(600);
    const r = await searchCapacity(m.probe, SEARCH);
    expect(m.sizes.slice(0, 2)).toEqual([1000, 500]);
    expect(r.capacity as number).toBeLessThanOrEqual(600);
    expect(r.over as number).toBeGreaterThan(600);
  });

  it('stops at the scenario size when everything is within', async () => {
    const m = machine(Infinity);
    const r = await searchCapacity(m.probe, { ...SEARCH, from: 3000 });
    expect(m.sizes).toEqual([3000, 6000, 10_000]);
    expect(r).toMatchObject({ capacity: 10_000, over: null });
  });

  it('stops when a probe throws (a fault), and refuses bounds that cannot work', async () => {
    await expect(
      searchCapacity(() => Promise.reject(new Error('lost payment')), SEARCH),
    ).rejects.toThrow('lost payment');
    await expect(searchCapacity(machine(1).probe, { ...SEARCH, min: 20_000 })).rejects.toThrow(
      'bad search bounds',
    );
  });
});

describe('repeatedVerdict', () => {
  it('is within only when every run is, and stops at the first run over', async () => {
    const runs = (verdicts: Verdict[]) => {
      const left = [...verdicts];
      let ran = 0;
      const runOnce = () => {
        ran += 1;
        return Promise.resolve(left.shift() ?? 'within');
      };
      return { runOnce, ran: () => ran };
    };
    const allWithin = runs(['within', 'within', 'within']);
    expect(await repeatedVerdict(3, allWithin.runOnce)).toBe('within');
    expect(allWithin.ran()).toBe(3);
    const secondOver = runs(['within', 'over', 'within']);
    expect(await repeatedVerdict(3, secondOver.runOnce)).toBe('over');
    expect(secondOver.ran()).toBe(2);
    const once = runs(['over']);
    expect(await repeatedVerdict(1, once.runOnce)).toBe('over');
    expect(once.ran()).toBe(1);
  });
});

describe('verdictOf', () => {
  it('is within when every threshold is met, over when only time thresholds fail', () => {
    expect(verdictOf({ passed: true, failures: [] })).toBe('within');
    expect(verdictOf({ passed: false, failures: ['p99 latency (ms)', 'checkout p99 (ms)'] })).toBe(
      'over',
    );
  });

  it('names the faults when anything else fails, whatever the load', () => {
    expect(
      verdictOf({
        passed: false,
        failures: ['p99 latency (ms)', 'lost (captured, not paid here)', '5xx responses'],
      }),
    ).toEqual({ faults: ['lost (captured, not paid here)', '5xx responses'] });
  });

  it('knows only threshold names the load test really produces', () => {
    // A renamed threshold would otherwise turn "over capacity" into a fault (or the reverse).
    const sources = ['load-summary.js', 'drop-run.ts'].map((f) =>
      readFileSync(new URL(`./${f}`, import.meta.url), 'utf8'),
    );
    for (const name of LOAD_BOUND_THRESHOLDS) {
      expect(
        sources.some((s) => s.includes(`'${name}'`)),
        name,
      ).toBe(true);
    }
  });
});

describe('the capacity table', () => {
  const result = (over: number | null): CapacityResult => ({
    scenario: 'creator-drop-10k',
    commit: 'abc1234',
    startedAt: '2026-01-02T03:04:05.000Z',
    machine: '2 cores, 24 GiB, 2 API procs',
    search: SEARCH,
    repeat: 1,
    capacity: 1500,
    over,
    faults: null,
    probes: [
      {
        buyers: 1000,
        verdict: 'within',
        failures: [],
        storefrontP99Ms: 61.2,
        checkoutP99Ms: 240.5,
        captureToDownloadP99Ms: 900,
        apiLoop: { samples: 14, max: 0.83, mean: 0.5, saturated: 0 },
        loadAverageStart: 0.4,
        resultsFile: 'r1.json',
      },
      {
        buyers: 2000,
        verdict: 'over',
        failures: ['p99 latency (ms)'],
        storefrontP99Ms: 180,
        checkoutP99Ms: null,
        captureToDownloadP99Ms: null,
        apiLoop: { samples: 17, max: 1, mean: 0.81, saturated: 9 },
        loadAverageStart: 0.7,
        resultsFile: 'r2.json',
      },
    ],
  });

  it('adds a row under its own header in a document without the table, then above the marker', () => {
    const doc = join(dir, 'load-testing.md');
    appendCapacityRow(doc, result(2000));
    appendCapacityRow(doc, result(null));
    const text = readFileSync(doc, 'utf8');
    expect(text).toContain(CAPACITY_HEADER);
    const rows = text.split('\n').filter((l) => l.startsWith('| 2026-01-02 03:04'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('| 1500 | 2000 |');
    expect(rows[0]).toContain(
      '1000 within (61 / 241 / 900; 0.4); 2000 over (180 / n/a / n/a; 0.7)',
    );
    expect(rows[1]).toContain('| ≥ 1500 | n/a |');
    expect(text.indexOf(rows[1] as string)).toBeLessThan(text.indexOf(CAPACITY_END_MARKER));
  });

  it('reports the verdict and every probe on the terminal', () => {
    const lines = capacityReport(result(2000));
    expect(lines[0]).toBe(
      'capacity of "creator-drop-10k" on this machine: 1500 buyers (over at 2000)',
    );
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^\s+1000\s+within\s+61\s+241\s+900\s+83 %, 0 of 14\s+0\.4$/);
    expect(lines[3]).toMatch(/^\s+2000\s+over\s+180\s+n\/a\s+n\/a\s+100 %, 9 of 17\s+0\.7$/);
  });
});
