import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STEP_LABELS, STEPS } from './step-cost-report.ts';

// `npm run bench:buyer-steps` end to end, small: the drop's stack, a few buyers through every
// step with every answer checked, the table and the estimate printed, and everything stopped.
// The figures are not judged (other tests share the CPU; a dozen buyers' page reads can round to
// no clock tick at all); that the payment step, the heaviest, used some CPU is.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function bench(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['tests/load/step-cost.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

describe('bench:buyer-steps', () => {
  it(
    'takes buyers through every step of the drop and prints CPU per step and process, and the drop’s demand',
    { timeout: 120_000 },
    async () => {
      const r = await bench([
        '--buyers',
        '12',
        '--warmup',
        '3',
        '--concurrency',
        '4',
        '--quiet-wait',
        '0',
      ]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      for (const step of STEPS) {
        const row = r.out.split('\n').find((l) => l.startsWith(`| ${STEP_LABELS[step]} | 12 |`));
        expect(row, `${step} row`).toBeDefined();
        const total = Number((row as string).split('|').at(-2));
        expect(Number.isFinite(total), `${step} total`).toBe(true);
        if (step === 'payment') expect(total).toBeGreaterThan(0);
      }
      expect(r.out).toMatch(/one paying buyer: \d+\.\d+ ms/);
      expect(r.out).toMatch(/asks \d+\.\d CPU-s; \d+ cores give/);
    },
  );

  it('refuses an unknown step or a bad count before starting anything', async () => {
    const step = await bench(['--until', 'refund']);
    expect(step.code).toBe(2);
    expect(step.err).toContain('--until must be one of storefront, page, checkout');
    const buyers = await bench(['--buyers', '0']);
    expect(buyers.code).toBe(2);
    expect(buyers.err).toContain('--buyers must be a whole number from 1 to 5000');
  });
});
