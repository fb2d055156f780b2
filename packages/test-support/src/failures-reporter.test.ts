import { describe, expect, it } from 'vitest';
import { failureLines, type ReportedModule } from './failures-reporter.ts';

function mod(
  moduleId: string,
  tests: { fullName: string; state: string; message?: string }[],
  errors: { message: string }[] = [],
): ReportedModule {
  return {
    moduleId,
    errors: () => errors,
    children: {
      allTests: () =>
        tests.map((t) => ({
          fullName: t.fullName,
          result: () => ({
            state: t.state,
            errors: t.message === undefined ? [] : [{ message: t.message }],
          }),
        })),
    },
  };
}

describe('failureLines', () => {
  it('names each failed test with its file and the first line of its error, and nothing that passed', () => {
    const lines = failureLines(
      [
        mod('/repo/apps/a.test.ts', [
          { fullName: 'a > passes', state: 'passed' },
          { fullName: 'a > fails', state: 'failed', message: 'expected 1 to be 2\n  at line 3' },
          { fullName: 'a > skipped', state: 'skipped' },
        ]),
        mod('/repo/apps/b.test.ts', [{ fullName: 'b > ok', state: 'passed' }]),
      ],
      [],
      '/repo',
    );
    expect(lines).toEqual(['FAIL apps/a.test.ts > a > fails: expected 1 to be 2']);
  });

  it('names a file that failed outside its tests and an unhandled error', () => {
    const lines = failureLines(
      [mod('/repo/c.test.ts', [], [{ message: 'Hook timed out in 60000ms' }])],
      [{ message: 'ECONNRESET' }],
      '/repo',
    );
    expect(lines).toEqual([
      'FAIL c.test.ts (outside its tests): Hook timed out in 60000ms',
      'FAIL unhandled error: ECONNRESET',
    ]);
  });

  it('is empty when nothing failed', () => {
    expect(
      failureLines([mod('/repo/d.test.ts', [{ fullName: 'd', state: 'passed' }])], [], '/repo'),
    ).toEqual([]);
  });
});
