import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appendBaselineRow,
  appendDropBaselineRow,
  BASELINE_HEADER,
  DROP_END_MARKER,
  DROP_HEADER,
  END_MARKER,
  machineCell,
} from './baseline-table.ts';
import type { LoadTestResult } from './load-test-result.ts';

const dir = mkdtempSync(join(tmpdir(), 'baseline-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (passed: boolean) =>
  ({
    passed,
    failures: passed ? [] : ['p95 latency (ms)'],
    startedAt: '2026-01-02T03:04:05.000Z',
    commit: 'abc1234',
    machine: { cores: 2, memoryGiB: 24, apiProcesses: 2, loadAverageStart: 1.5, loadAverageEnd: 2 },
    client: {
      tool: 'node-runner',
      vus: { max: 10000 },
      connections: { maxOpen: 10000 },
      requests: { total: 500000, perSecond: 4000, status5xx: 0 },
      latencyMs: { p95: 12.34, p99: 80 },
      checks: { rate: 1 },
      coordinatedOmission: { lateStarts: 7 },
    },
    server: {
      storefront: { hitRatio: 0.9991, mongoQueries: 1200 },
      mongoPool: { checkedOutMax: 6, waitQueueMax: 0 },
      memory: { apiRssBytes: 300 * 2 ** 20 },
      storefrontServerLatencyMs: { p95: 1.2, p99: 4.5 },
    },
    goals: [{ name: 'p99 latency (ms)', ok: false }],
  }) as unknown as LoadTestResult;

describe('baseline table', () => {
  it('when a run is recorded, then its row goes above the end marker, after earlier rows', () => {
    const doc = join(dir, 'doc.md');
    writeFileSync(doc, `# Load\n\n## Baseline\n\n${BASELINE_HEADER}\n${END_MARKER}\n\nAfter.\n`);
    appendBaselineRow(doc, run(true));
    appendBaselineRow(doc, run(false));
    const lines = readFileSync(doc, 'utf8').split('\n');
    const marker = lines.indexOf(END_MARKER);
    expect(lines[marker - 2]).toContain('pass (goals missed: p99 latency (ms))');
    expect(lines[marker - 1]).toContain('FAIL: p95 latency (ms)');
    expect(lines[marker - 1]).toContain('| 2026-01-02 03:04 | abc1234 |');
    expect(lines[marker - 1]).toContain('| 12.3 (1.2) | 80.0 (4.5) |');
    expect(lines[marker - 1]).toContain('| 99.91% |');
    expect(lines[marker - 1]?.split(' | ').length).toBe(
      BASELINE_HEADER.split('\n')[0]?.split(' | ').length,
    );
    expect(lines.at(-2)).toBe('After.');
  });

  it('when the document has no table yet, then one is created', () => {
    const doc = join(dir, 'new.md');
    appendBaselineRow(doc, run(true));
    const text = readFileSync(doc, 'utf8');
    expect(text).toContain(BASELINE_HEADER);
    expect(text.indexOf('abc1234')).toBeLessThan(text.indexOf(END_MARKER));
  });

  it('when a drop run is recorded, then its row goes to the drop table with every drop figure', () => {
    const doc = join(dir, 'drop.md');
    writeFileSync(doc, `# Load\n\n## Baseline\n\n${BASELINE_HEADER}\n${END_MARKER}\n`);
    const step = (p50: number, p99: number) => ({ count: 10, p50, p95: p99, p99, max: p99 });
    const drop = {
      ...run(true),
      drop: {
        buyers: 10_000,
        paid: 1_700,
        checkout: step(40, 320),
        sandboxLatencyMs: 0,
        webhookAcceptMs: { count: 10_200, p50: 2, p95: 9, p99: 31.5 },
        captureToDownloadMs: step(180, 2_400),
        status5xx: { client: 0, server: 0, byStep: {} },
        mongoPool: {
          api: { checkedOutMax: 12, waitQueueMax: 3 },
          worker: { checkedOutMax: 10, waitQueueMax: 0 },
        },
        queue: { backlogMax: 812, backlogMaxAtSeconds: 9, drainSeconds: 4, samples: 30 },
        verifier: { figures: { lost: 0, appliedTwice: 0, doubleDeliveries: 0 }, violations: [] },
        staleness: { readsChecked: 20_000, stale: 0, edits: 2, editFailures: 0 },
      },
    } as unknown as LoadTestResult;
    appendDropBaselineRow(doc, drop);
    const text = readFileSync(doc, 'utf8');
    expect(text).toContain(`## Drop baseline\n\n${DROP_HEADER}`);
    const lines = text.split('\n');
    const row = lines[lines.indexOf(DROP_END_MARKER) - 1] ?? '';
    expect(row).toContain(
      '| 10000 / 1700 | 12.3 / 80.0 | 320 / 320 (+0) | 31.5 | 180 / 2400 | 0 / 0 | 99.91% | 12 / 3; 10 / 0 | 812 / 4 | 0 / 0 / 0 | 0 / 2 | pass (goals missed: p99 latency (ms)) |',
    );
    expect(row.split(' | ').length).toBe(DROP_HEADER.split('\n')[0]?.split(' | ').length);
    // The browse table is untouched.
    expect(lines[lines.indexOf(END_MARKER) - 1]).toBe(BASELINE_HEADER.split('\n')[1]);
  });

  it("when a run set the worker's scheduling group nice, then the Machine cell says so", () => {
    const m = { cores: 2, memoryGiB: 24, apiProcesses: 1, loadAverageStart: 1, loadAverageEnd: 1 };
    expect(machineCell(m as LoadTestResult['machine'])).toBe('2 cores, 24 GiB, 1 API procs');
    expect(machineCell({ ...m, workerNice: 5 } as LoadTestResult['machine'])).toBe(
      '2 cores, 24 GiB, 1 API procs, worker nice 5',
    );
  });
});
