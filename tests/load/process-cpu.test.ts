import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  cpuGroupOf,
  cpuSnapshot,
  processCpu,
  processCpuLine,
  runQueueWaitLine,
  runQueueWaitSeconds,
  type CpuSnapshot,
} from './process-cpu.ts';

describe('cpuGroupOf', () => {
  it('groups the processes a load test starts by their command lines', () => {
    expect(cpuGroupOf('/usr/bin/redis-server 127.0.0.1:40123')).toBe('redis');
    expect(cpuGroupOf('/x/node /work/main/apps/api/src/main.ts')).toBe('api');
    expect(cpuGroupOf('node apps/worker/src/main.ts')).toBe('worker');
    expect(cpuGroupOf('node packages/devstack/src/cli.ts mongo --port 34947')).toBe('mongo');
    expect(cpuGroupOf('node tests/load/drop-runner.ts --base-url http://x')).toBe('generator');
    expect(cpuGroupOf('node tests/load/runner.ts --base-url http://x')).toBe('generator');
    expect(cpuGroupOf('k6 run --quiet tests/load/drop.k6.js')).toBe('generator');
    expect(cpuGroupOf('git rev-parse --short HEAD')).toBe('other');
  });
});

/**
 * A child whose command line names `script` (so it is grouped like it), busy for `cpuMs` of CPU,
 * then saying `done` and waiting for its stdin to close.
 */
function busyChild(script: string, cpuMs: number) {
  return spawn(
    process.execPath,
    [
      '-e',
      `const t = process.cpuUsage(); while (process.cpuUsage(t).user < ${cpuMs * 1000}) {} ` +
        "process.stdout.write('done\\n'); process.stdin.resume();",
      script,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
}

describe.skipIf(process.platform !== 'linux')('cpuSnapshot (Linux /proc)', () => {
  it("counts a busy child process's CPU under its group, and the orchestrator's own", async () => {
    const child = busyChild('apps/worker/src/main.ts', 400);
    try {
      const before = cpuSnapshot() as CpuSnapshot;
      expect(before.get(process.pid)?.group).toBe('orchestrator');
      await once(child.stdout, 'data');
      const after = cpuSnapshot() as CpuSnapshot;
      expect(after.get(child.pid as number)?.group).toBe('worker');
      const cpu = processCpu(before, after, 2, 2);
      expect(cpu?.seconds.worker).toBeGreaterThanOrEqual(0.3);
      expect(cpu?.totalSeconds).toBeGreaterThanOrEqual(cpu?.seconds.worker as number);
    } finally {
      child.stdin.end();
      child.kill();
    }
  });

  it("reads each process's run-queue wait: children kept off the cores by each other wait", async () => {
    // One busy child per core and one more, each until 300 ms of CPU: with more runnable threads
    // than cores, at least one of them waits on a run queue.
    const cores = Math.max(1, availableParallelism());
    const children = Array.from({ length: cores + 1 }, () =>
      busyChild('apps/api/src/main.ts', 300),
    );
    try {
      const before = cpuSnapshot() as CpuSnapshot;
      await Promise.all(children.map((c) => once(c.stdout, 'data')));
      const after = cpuSnapshot() as CpuSnapshot;
      const cpu = processCpu(before, after, 1, cores);
      expect(cpu?.seconds.api).toBeGreaterThanOrEqual(0.3 * (cores + 1) * 0.9);
      expect(cpu?.waitSeconds?.api).toBeGreaterThan(0.05);
      expect(runQueueWaitLine(cpu)).toMatch(/^waiting for a core .*: API \d+\.\d s/);
    } finally {
      for (const c of children) {
        c.stdin.end();
        c.kill();
      }
    }
  });

  it('leaves out processes that are not descendants', () => {
    const snap = cpuSnapshot() as CpuSnapshot;
    expect(snap.has(1)).toBe(false);
    expect(snap.has(process.ppid)).toBe(false);
  });
});

describe('processCpu', () => {
  it('sums each group between two snapshots, counting processes started in between whole', () => {
    const before: CpuSnapshot = new Map([
      [10, { group: 'orchestrator', seconds: 5 }],
      [11, { group: 'api', seconds: 2 }],
      [12, { group: 'api', seconds: 3 }],
    ]);
    const after: CpuSnapshot = new Map([
      [10, { group: 'orchestrator', seconds: 6.5 }],
      [11, { group: 'api', seconds: 10 }],
      [12, { group: 'api', seconds: 7 }],
      [13, { group: 'generator', seconds: 4 }],
    ]);
    const cpu = processCpu(before, after, 10, 2);
    expect(cpu).toEqual({
      seconds: { orchestrator: 1.5, api: 12, generator: 4 },
      totalSeconds: 17.5,
      wallSeconds: 10,
      cores: 2,
      busyShare: 0.88,
    });
    expect(processCpuLine(cpu)).toBe(
      'CPU during the load: API 12.0 s, load generator 4.0 s, orchestrator (Razorpay sandbox, S3 stand-in, monitors) 1.5 s; total 17.5 s in 10.0 s on 2 cores (88 % busy)',
    );
  });

  it("adds a group's CPU reported on exit unless a process of the group is still there", () => {
    const before: CpuSnapshot = new Map([[10, { group: 'orchestrator', seconds: 1 }]]);
    const after: CpuSnapshot = new Map([
      [10, { group: 'orchestrator', seconds: 2 }],
      [11, { group: 'api', seconds: 3 }],
    ]);
    const cpu = processCpu(before, after, 4, 2, { generator: 2.5, api: 100 });
    expect(cpu?.seconds).toEqual({ orchestrator: 1, api: 3, generator: 2.5 });
    expect(cpu?.totalSeconds).toBe(6.5);
  });

  it("sums each group's run-queue wait where the snapshots have it", () => {
    const before: CpuSnapshot = new Map([
      [10, { group: 'orchestrator', seconds: 5, waitSeconds: 1 }],
      [11, { group: 'api', seconds: 2, waitSeconds: 0.5 }],
      [12, { group: 'api', seconds: 3, waitSeconds: 0.25 }],
    ]);
    const after: CpuSnapshot = new Map([
      [10, { group: 'orchestrator', seconds: 6, waitSeconds: 1.5 }],
      [11, { group: 'api', seconds: 10, waitSeconds: 4.5 }],
      [12, { group: 'api', seconds: 7, waitSeconds: 2.25 }],
      [13, { group: 'worker', seconds: 4 }],
    ]);
    const cpu = processCpu(before, after, 10, 2);
    expect(cpu?.waitSeconds).toEqual({ orchestrator: 0.5, api: 6 });
    expect(runQueueWaitLine(cpu)).toBe(
      "waiting for a core (each process's main thread, ready to run): API 6.0 s, orchestrator (Razorpay sandbox, S3 stand-in, monitors) 0.5 s",
    );
    const without = processCpu(
      new Map([[10, { group: 'api', seconds: 1 }]]),
      new Map([[10, { group: 'api', seconds: 2 }]]),
      1,
      2,
    );
    expect(without?.waitSeconds).toBeUndefined();
    expect(runQueueWaitLine(without)).toBeUndefined();
  });

  it('reads the wait from a schedstat line, and nothing from a malformed one', () => {
    expect(runQueueWaitSeconds('13700000000 10500000000 52011\n')).toBe(10.5);
    expect(runQueueWaitSeconds('')).toBeUndefined();
    expect(runQueueWaitSeconds('12 x 3')).toBeUndefined();
  });

  it('is absent without /proc', () => {
    expect(processCpu(undefined, new Map(), 1, 2)).toBeUndefined();
    expect(processCpuLine(undefined)).toBe('CPU during the load: n/a (needs Linux /proc)');
  });
});
