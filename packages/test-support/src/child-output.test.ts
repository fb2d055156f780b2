import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { endLog, pipeChildOutput } from './child-output.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('pipeChildOutput / endLog', () => {
  it('when a process that inherited the child’s pipes writes after the child exited, then its line reaches the log before the log ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'child-output-'));
    dirs.push(dir);
    const file = join(dir, 'child.log');
    const log = createWriteStream(file);
    // The child starts a process on its own stdout and stderr and exits before that one writes.
    const script = `
      const { spawn } = require('node:child_process');
      spawn(process.execPath, ['-e', 'setTimeout(() => { console.log("late out"); console.error("late err"); }, 300)'], { stdio: 'inherit' });
      console.log('early');
      process.exit(0);
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = pipeChildOutput(child, log);
    await once(child, 'exit');

    await endLog(log, [output], 10_000);
    expect(log.writableFinished).toBe(true);
    expect(readFileSync(file, 'utf8').split('\n').sort()).toEqual(
      ['', 'early', 'late err', 'late out'].sort(),
    );
  });
});
