import { existsSync, readFileSync, writeFileSync } from 'node:fs';

// The CPU share of a process the load stack started in a session of its own (`detached`: the API
// and the worker). Linux's autogroup scheduling gives each session one scheduling group, and the
// cores are shared between groups before a group's processes share its part: a process's own nice
// value only weighs against the processes of its session. A group's nice (/proc/<pid>/autogroup)
// is what moves its share against the API, the load generator and the stand-ins. On a deployment
// the same knob is the service's cgroup weight (systemd's CPUWeight=, a container's CPU shares).
// docs/load-testing.md, "Who gets the cores".

/** The nice values a group can be given without privileges: 0 (the default) to 19 (least CPU). */
export const GROUP_NICE_MIN = 0;
export const GROUP_NICE_MAX = 19;

/** The autogroup a process is in and its nice, from /proc/<pid>/autogroup (`/autogroup-42 nice 5`). */
export function readSchedGroup(pid: number): { group: string; nice: number } | undefined {
  try {
    const m = /^(\S+) nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
    return m ? { group: m[1] as string, nice: Number(m[2]) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gives `pid`'s session group the nice value `nice`. Throws where the kernel has no autogroups
 * (not Linux, or built without them). Returns a warning when the setting cannot take effect:
 * autogroup scheduling switched off (`kernel.sched_autogroup_enabled`), or the process sharing its
 * group with this one (not started in a session of its own), where it would slow the harness too.
 */
export function setSchedGroupNice(pid: number, nice: number): string | undefined {
  if (!Number.isInteger(nice) || nice < GROUP_NICE_MIN || nice > GROUP_NICE_MAX) {
    throw new Error(
      `a scheduling group's nice must be a whole number from ${GROUP_NICE_MIN} to ${GROUP_NICE_MAX}`,
    );
  }
  const target = readSchedGroup(pid);
  if (!target) {
    throw new Error(
      existsSync(`/proc/${pid}`)
        ? `no autogroup in /proc/${pid}/autogroup: setting a scheduling group's nice needs Linux with autogroup scheduling (and the process in the root cgroup)`
        : `process ${pid} is not running`,
    );
  }
  if (target.group === readSchedGroup(process.pid)?.group) {
    return `process ${pid} shares the load test's own scheduling group; its nice is left alone`;
  }
  writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  let enabled = '1';
  try {
    enabled = readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim();
  } catch {
    // not exposed: assume the default (on)
  }
  return enabled === '0'
    ? 'autogroup scheduling is off on this machine (kernel.sched_autogroup_enabled=0): the group nice has no effect'
    : undefined;
}
