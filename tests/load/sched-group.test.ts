import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSchedGroup, setSchedGroupNice } from './sched-group.ts';

const hasAutogroup = existsSync(`/proc/${process.pid}/autogroup`);

describe.skipIf(!hasAutogroup)('setSchedGroupNice (Linux autogroups)', () => {
  it('when a process runs in a session of its own, then its group gets the nice and this one keeps its own', async () => {
    const own = readSchedGroup(process.pid);
    const child = spawn(process.execPath, ['-e', 'process.stdin.resume()'], {
      detached: true,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    try {
      await once(child, 'spawn');
      const pid = child.pid as number;
      expect(readSchedGroup(pid)?.group).not.toBe(own?.group);
      setSchedGroupNice(pid, 7);
      expect(readSchedGroup(pid)?.nice).toBe(7);
      expect(readSchedGroup(process.pid)).toEqual(own);
    } finally {
      child.stdin.end();
      child.kill();
    }
  });

  it("when a process shares this one's group, then nothing is changed and a warning says why", async () => {
    const own = readSchedGroup(process.pid);
    const child = spawn(process.execPath, ['-e', 'process.stdin.resume()'], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    try {
      await once(child, 'spawn');
      expect(setSchedGroupNice(child.pid as number, 7)).toMatch(/shares the load test's own/);
      expect(readSchedGroup(process.pid)).toEqual(own);
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
});

describe('setSchedGroupNice', () => {
  it('refuses a nice outside 0-19 before touching anything, and a process without a group', () => {
    expect(() => setSchedGroupNice(process.pid, -5)).toThrow(/from 0 to 19/);
    expect(() => setSchedGroupNice(process.pid, 2.5)).toThrow(/from 0 to 19/);
    expect(() => setSchedGroupNice(2 ** 22 + 1, 5)).toThrow(/autogroup/);
  });
});
