import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readSchedGroup, setSchedGroupNice } from './sched-group.ts';

// The file is there but empty where this process's cgroup, not its session, decides its share.
const hasAutogroup = readSchedGroup(process.pid) !== undefined;

/** A node process in a session of its own that stays until its stdin ends, once it says it runs. */
async function startIdleChild() {
  const child = spawn(
    process.execPath,
    ['-e', 'process.stdin.resume(); process.stdout.write("ready\\n")'],
    { detached: true, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`the child exited before it was ready (code ${code}, signal ${signal})`);
  });
  exited.catch(() => {});
  await Promise.race([once(child.stdout, 'data'), exited]);
  return child;
}

describe.skipIf(!hasAutogroup)('setSchedGroupNice (Linux autogroups)', () => {
  it('when a process runs in a session of its own, then its group gets the nice and this one keeps its own', async () => {
    const own = readSchedGroup(process.pid);
    const child = await startIdleChild();
    try {
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

  it("when a process shares this one's group, then nothing is changed and a warning says why", () => {
    // This process itself: a child started without a session of its own is in the same group,
    // and CI once found no autogroup entry for such a child just after it spawned.
    const own = readSchedGroup(process.pid);
    expect(setSchedGroupNice(process.pid, 7)).toMatch(/shares the load test's own/);
    expect(readSchedGroup(process.pid)).toEqual(own);
  });
});

describe('setSchedGroupNice', () => {
  it('refuses a nice outside 0-19 before touching anything, and a process without a group', () => {
    expect(() => setSchedGroupNice(process.pid, -5)).toThrow(/from 0 to 19/);
    expect(() => setSchedGroupNice(process.pid, 2.5)).toThrow(/from 0 to 19/);
    expect(() => setSchedGroupNice(2 ** 22 + 1, 5)).toThrow(/is not running/);
  });
});
