import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// Where the machine's CPU went during a run: every process the load test started (the API
// cluster, the worker, the MongoDB stand-in, redis-server, the load generator) and the
// orchestrator itself (the Razorpay sandbox and S3 stand-ins, the monitors), read from
// /proc/<pid>/stat before and after the load. Linux only; elsewhere the figures are absent.
// Beside the CPU each process used, how long its main thread (a Node process's event loop) was
// ready to run but waited for a core, from /proc/<pid>/schedstat: an event loop's utilization
// counts that wait as busy time, and on a machine whose cores are all taken it can be as large as
// the CPU itself (docs/load-testing.md, "Who gets the cores").

/** The groups a run's CPU is reported in, in print order. */
export const CPU_GROUPS = [
  'api',
  'worker',
  'mongo',
  'redis',
  'generator',
  'orchestrator',
  'other',
] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];

/** Each group's name in printouts. */
export const CPU_GROUP_LABELS: Record<CpuGroup, string> = {
  api: 'API',
  worker: 'worker',
  mongo: 'MongoDB stand-in',
  redis: 'Redis',
  generator: 'load generator',
  orchestrator: 'orchestrator (Razorpay sandbox, S3 stand-in, monitors)',
  other: 'other',
};

/** The group of a descendant process, from its command line. */
export function cpuGroupOf(cmdline: string): CpuGroup {
  if (/redis-server/.test(cmdline)) return 'redis';
  if (/apps\/api\//.test(cmdline)) return 'api';
  if (/apps\/worker\//.test(cmdline)) return 'worker';
  if (/devstack\/src\/cli\.ts mongo\b/.test(cmdline)) return 'mongo';
  if (/tests\/load\/(drop-runner|runner)\.ts|\bk6\b/.test(cmdline)) return 'generator';
  return 'other';
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    ticksPerSecond = r.status === 0 && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

interface ProcEntry {
  pid: number;
  ppid: number;
  cpuSeconds: number;
  cmdline: string;
}

/** The second field of /proc/<pid>/schedstat (ns waiting on a run queue), in seconds. */
export function runQueueWaitSeconds(schedstat: string): number | undefined {
  const ns = Number(schedstat.trim().split(/\s+/)[1]);
  return Number.isFinite(ns) && ns >= 0 ? ns / 1e9 : undefined;
}

/** Time `pid`'s main thread spent runnable on a run queue, not running (absent without schedstat). */
function readWait(pid: number): number | undefined {
  try {
    return runQueueWaitSeconds(readFileSync(`/proc/${pid}/schedstat`, 'utf8'));
  } catch {
    return undefined; // a kernel without schedstats
  }
}

function readProc(pid: number): ProcEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { pid, ppid: Number(f[1]), cpuSeconds: ticks / clockTicks(), cmdline };
  } catch {
    return undefined; // gone meanwhile, or not readable
  }
}

/** CPU seconds used so far by `root`'s process tree, by group; undefined where /proc is absent. */
export type CpuSnapshot = Map<
  number,
  { group: CpuGroup; seconds: number; waitSeconds?: number | undefined }
>;

export function cpuSnapshot(root = process.pid): CpuSnapshot | undefined {
  if (process.platform !== 'linux') return undefined;
  const entries: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const e = readProc(Number(name));
    if (e) entries.push(e);
  }
  const children = new Map<number, ProcEntry[]>();
  for (const e of entries) {
    const list = children.get(e.ppid);
    if (list) list.push(e);
    else children.set(e.ppid, [e]);
  }
  const snapshot: CpuSnapshot = new Map();
  const self = entries.find((e) => e.pid === root);
  if (!self) return undefined;
  // The wait is read only for the processes kept (this one and its descendants), not every one.
  snapshot.set(root, {
    group: 'orchestrator',
    seconds: self.cpuSeconds,
    waitSeconds: readWait(root),
  });
  // Each process is grouped by its own command line, or its parent's group when it has none of
  // its own (a shell running `ulimit -n … && exec`, a cluster process of the API).
  const walk = (parent: ProcEntry, parentGroup: CpuGroup) => {
    for (const c of children.get(parent.pid) ?? []) {
      const own = cpuGroupOf(c.cmdline);
      const group = own === 'other' && parentGroup !== 'orchestrator' ? parentGroup : own;
      snapshot.set(c.pid, { group, seconds: c.cpuSeconds, waitSeconds: readWait(c.pid) });
      walk(c, group);
    }
  };
  walk(self, 'orchestrator');
  return snapshot;
}

export interface ProcessCpu {
  /** CPU seconds per group between the two snapshots (processes started in between count whole). */
  seconds: Partial<Record<CpuGroup, number>>;
  /**
   * Per group, the time its processes' main threads were ready to run but waited for a core
   * (absent in results of older runs and without schedstat; processes that exited before the
   * second snapshot, such as the load generator, are not in it).
   */
  waitSeconds?: Partial<Record<CpuGroup, number>>;
  totalSeconds: number;
  wallSeconds: number;
  cores: number;
  /** totalSeconds / (wallSeconds × cores): 1 is every core busy all the time. */
  busyShare: number;
}

/**
 * The CPU between two snapshots. `exited` adds the CPU of groups whose processes ended before the
 * second snapshot (the load generator reports its own when it exits), unless a process of the
 * group is still there.
 */
export function processCpu(
  before: CpuSnapshot | undefined,
  after: CpuSnapshot | undefined,
  wallSeconds: number,
  cores: number,
  exited: Partial<Record<CpuGroup, number>> = {},
): ProcessCpu | undefined {
  if (!before || !after) return undefined;
  const seconds: Partial<Record<CpuGroup, number>> = {};
  const waitSeconds: Partial<Record<CpuGroup, number>> = {};
  let total = 0;
  for (const [pid, now] of after) {
    const then = before.get(pid);
    const used = Math.max(0, now.seconds - (then?.seconds ?? 0));
    seconds[now.group] = (seconds[now.group] ?? 0) + used;
    total += used;
    if (now.waitSeconds !== undefined) {
      const waited = Math.max(0, now.waitSeconds - (then?.waitSeconds ?? 0));
      waitSeconds[now.group] = (waitSeconds[now.group] ?? 0) + waited;
    }
  }
  for (const g of CPU_GROUPS) {
    const used = exited[g];
    if (used !== undefined && seconds[g] === undefined) {
      seconds[g] = used;
      total += used;
    }
  }
  for (const g of CPU_GROUPS) {
    if (seconds[g] !== undefined) seconds[g] = round(seconds[g]);
    if (waitSeconds[g] !== undefined) waitSeconds[g] = round(waitSeconds[g]);
  }
  return {
    seconds,
    ...(Object.keys(waitSeconds).length > 0 ? { waitSeconds } : {}),
    totalSeconds: round(total),
    wallSeconds: round(wallSeconds),
    cores,
    busyShare: wallSeconds > 0 && cores > 0 ? round(total / (wallSeconds * cores)) : 0,
  };
}

/** `CPU during the load: API 26.3 s, worker 7.7 s, …; total 53.3 s in 31.1 s on 2 cores (86 % busy)`. */
export function processCpuLine(c: ProcessCpu | undefined): string {
  if (!c) return 'CPU during the load: n/a (needs Linux /proc)';
  const parts = CPU_GROUPS.filter((g) => (c.seconds[g] ?? 0) > 0).map(
    (g) => `${CPU_GROUP_LABELS[g]} ${(c.seconds[g] as number).toFixed(1)} s`,
  );
  return (
    `CPU during the load: ${parts.join(', ')}; total ${c.totalSeconds.toFixed(1)} s in ` +
    `${c.wallSeconds.toFixed(1)} s on ${c.cores} cores (${Math.round(c.busyShare * 100)} % busy)`
  );
}

/**
 * `waiting for a core (main threads ready to run): API 10.4 s, worker 8.7 s, …`; undefined without
 * the figures. A process's main thread is its event loop, so this is time its loop wanted to run.
 */
export function runQueueWaitLine(c: ProcessCpu | undefined): string | undefined {
  const wait = c?.waitSeconds;
  if (!wait) return undefined;
  const parts = CPU_GROUPS.filter((g) => wait[g] !== undefined).map(
    (g) => `${CPU_GROUP_LABELS[g]} ${(wait[g] as number).toFixed(1)} s`,
  );
  return parts.length === 0
    ? undefined
    : `waiting for a core (each process's main thread, ready to run): ${parts.join(', ')}`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
