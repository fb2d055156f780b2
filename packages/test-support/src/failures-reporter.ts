// Vitest reporter: after a run, writes the failed tests (file, full name, the error's first line)
// to `.tmp/test-failures.txt`, empty when nothing failed. `make test` prints that file last when
// a suite fails, so the end of a long log (all CI keeps) names what failed; the default reporter's
// own list scrolls away behind the suite's summary and the contract report.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export const FAILURES_FILE = '.tmp/test-failures.txt';

interface ErrorLike {
  message?: string;
  name?: string;
}

/** The structural part of Vitest's reported tasks this reporter reads (tests pass plain objects). */
export interface ReportedModule {
  moduleId: string;
  errors(): readonly ErrorLike[];
  children: {
    allTests(): Iterable<{
      fullName: string;
      result(): { state: string; errors?: readonly ErrorLike[] };
    }>;
  };
}

function firstLine(errors: readonly ErrorLike[] | undefined): string {
  const e = errors?.[0];
  if (!e) return '';
  const text = e.message ?? e.name ?? '';
  return text.split('\n', 1)[0]!.slice(0, 300);
}

/** One line per failed test, per file that failed outside its tests, and per unhandled error. */
export function failureLines(
  modules: readonly ReportedModule[],
  unhandled: readonly ErrorLike[],
  root: string,
): string[] {
  const lines: string[] = [];
  for (const m of modules) {
    const file = relative(root, m.moduleId);
    for (const e of m.errors()) lines.push(`FAIL ${file} (outside its tests): ${firstLine([e])}`);
    for (const t of m.children.allTests()) {
      const r = t.result();
      if (r.state === 'failed') lines.push(`FAIL ${file} > ${t.fullName}: ${firstLine(r.errors)}`);
    }
  }
  for (const e of unhandled) lines.push(`FAIL unhandled error: ${firstLine([e])}`);
  return lines;
}

export default class FailuresReporter implements Reporter {
  /** A run that ends before its tests (a failed global setup) must not leave an earlier list. */
  onInit(): void {
    rmSync(FAILURES_FILE, { force: true });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<ErrorLike>): void {
    const lines = failureLines(modules, unhandled, process.cwd());
    mkdirSync(dirname(FAILURES_FILE), { recursive: true });
    const suite = process.env['TEST_SUITE'] ?? 'main';
    writeFileSync(
      FAILURES_FILE,
      lines.length === 0 ? '' : [`Failed in the ${suite} suite:`, ...lines, ''].join('\n'),
    );
  }
}
