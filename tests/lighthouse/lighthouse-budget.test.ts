import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeBound,
  judge,
  LIGHTHOUSE_GOALS,
  LIGHTHOUSE_THRESHOLDS,
  SMOKE_THRESHOLDS,
  medianMetrics,
} from './lighthouse-budget.ts';
import type { LighthouseMetrics } from './lighthouse-runner.ts';
import {
  appendLighthouseRow,
  END_MARKER,
  lighthouseRow,
  PERFORMANCE_DOC,
  SECTION_HEADING,
  TABLE_HEADER,
  type LighthouseRecord,
} from './lighthouse-table.ts';

const good: LighthouseMetrics = {
  lcpMs: 912.4,
  fcpMs: 800,
  cls: 0.001,
  tbtMs: 12,
  speedIndexMs: 820,
  score: 100,
};

const failedBounds = (m: LighthouseMetrics) =>
  judge(m, LIGHTHOUSE_THRESHOLDS)
    .filter((v) => !v.ok)
    .map((v) => describeBound(v.bound));

describe('Lighthouse budget', () => {
  it('when main-thread time is high but the page loads fast and still, then the smoke gate passes and the full one fails', () => {
    const busyBrowser = { ...good, tbtMs: 400, score: 90 };
    expect(judge(busyBrowser, SMOKE_THRESHOLDS).every((v) => v.ok)).toBe(true);
    expect(failedBounds(busyBrowser).sort()).toEqual(['TBT < 100 ms', 'score ≥ 95'].sort());
    const slow = { ...good, lcpMs: 1300, cls: 0.2 };
    expect(judge(slow, SMOKE_THRESHOLDS).filter((v) => !v.ok)).toHaveLength(2);
  });

  it('when every median is inside the issue budget, then no threshold fails', () => {
    expect(failedBounds(good)).toEqual([]);
    expect(judge(good, LIGHTHOUSE_GOALS).every((v) => v.ok)).toBe(true);
  });

  it('when a median sits on or past a bound, then exactly that threshold fails', () => {
    expect(failedBounds({ ...good, lcpMs: 1200 })).toEqual(['LCP < 1200 ms']);
    expect(failedBounds({ ...good, score: 94 })).toEqual(['score ≥ 95']);
    expect(failedBounds({ ...good, cls: 0.05 })).toEqual(['CLS < 0.05']);
    expect(failedBounds({ ...good, tbtMs: 100 })).toEqual(['TBT < 100 ms']);
    expect(failedBounds({ ...good, score: 95, lcpMs: 1199.4 })).toEqual([]);
  });

  it('when a figure rounds onto a bound, then it is judged as printed', () => {
    expect(failedBounds({ ...good, lcpMs: 1199.6 })).toEqual(['LCP < 1200 ms']);
  });

  it('when LCP is between the goal and the threshold, then only the goal is missed', () => {
    const m = { ...good, lcpMs: 1100, score: 98 };
    expect(failedBounds(m)).toEqual([]);
    expect(
      judge(m, LIGHTHOUSE_GOALS)
        .filter((v) => !v.ok)
        .map((v) => describeBound(v.bound)),
    ).toEqual(['LCP ≤ 1000 ms', 'score ≥ 100']);
  });

  it('when runs disagree, then each metric takes its own median', () => {
    const runs = [
      { ...good, lcpMs: 1000, score: 90 },
      { ...good, lcpMs: 700, score: 100 },
      { ...good, lcpMs: 900, score: 99 },
    ];
    expect(medianMetrics(runs)).toMatchObject({ lcpMs: 900, score: 99 });
    expect(medianMetrics(runs.slice(0, 2))).toMatchObject({ lcpMs: 850, score: 95 });
    expect(() => medianMetrics([])).toThrow(/no runs/);
  });
});

describe('docs/performance.md Lighthouse table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lighthouse-table-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const record = (lcpMs: number): LighthouseRecord => {
    const median = { ...good, lcpMs };
    return {
      date: new Date('2026-11-02T08:30:00Z'),
      commit: 'abc1234',
      target: 'fixture: bare 1.6 KB page, HTTPS',
      runs: 3,
      median,
      thresholds: judge(median, LIGHTHOUSE_THRESHOLDS),
      goals: judge(median, LIGHTHOUSE_GOALS),
      loadAverage: { start: 0.31, end: 1.02 },
      browserVersion: 'Chromium 156.0.8078.114',
      lighthouseVersion: '12.2.3',
    };
  };

  it('when a row is written, then it has one cell per header column and says the verdict', () => {
    const row = lighthouseRow(record(1250));
    const columns = (line: string) => line.split(' | ').length;
    expect(columns(row)).toBe(columns(TABLE_HEADER.split('\n')[0] as string));
    expect(row).toBe(
      '| 2026-11-02 08:30 | `abc1234` | fixture: bare 1.6 KB page, HTTPS | 3 | 1250 | 800 | 0.001 | 12 | 100 | ' +
        'FAIL: LCP < 1200 ms | 0.31 → 1.02 | Chromium 156.0.8078.114, 12.2.3 |',
    );
  });

  it('when rows are appended, then they stay in order under the header and above the marker', () => {
    const doc = join(dir, 'performance.md');
    writeFileSync(
      doc,
      `# Performance\n\n${SECTION_HEADING}\n\n${TABLE_HEADER}\n${END_MARKER}\n\n## Later\n`,
    );
    appendLighthouseRow(doc, record(900));
    appendLighthouseRow(doc, record(950));
    const lines = readFileSync(doc, 'utf8').split('\n');
    const header = lines.indexOf(TABLE_HEADER.split('\n')[1] as string);
    expect(lines[header + 1]).toContain('| 900 |');
    expect(lines[header + 2]).toContain('| 950 |');
    expect(lines[header + 3]).toBe(END_MARKER);
    expect(lines.at(-2)).toBe('## Later');
  });

  it('when the document has no table yet, then the section is added at its end', () => {
    const doc = join(dir, 'bare.md');
    writeFileSync(doc, '# Performance\n\nText.\n');
    appendLighthouseRow(doc, record(900));
    const text = readFileSync(doc, 'utf8');
    expect(text.indexOf('Text.')).toBeLessThan(text.indexOf(SECTION_HEADING));
    expect(text).toContain(`${TABLE_HEADER}\n| 2026-11-02 08:30 |`);
  });

  it('when the real document is read, then it holds the section, header and marker in order', () => {
    const text = readFileSync(PERFORMANCE_DOC, 'utf8');
    const at = [SECTION_HEADING, TABLE_HEADER, END_MARKER].map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});
