// `node scripts/dev.ts` as a real child process for tests: its output as lines to wait on, the
// processes it started, and a forceful clean-up for when a test fails half-way.
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface DevProcess {
  readonly pid: number;
  /** Every line printed so far, stdout and stderr interleaved as they arrived. */
  readonly lines: string[];
  /** The first line, printed already or later, that matches; rejects if dev.ts exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Settles once dev.ts has exited and its output ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ctrl-C as a terminal sends it: SIGINT to dev.ts's whole process group. */
  interrupt(): void;
  /** Pids of every process below dev.ts now (API, worker, redis-server). */
  descendants(): number[];
  /** SIGKILL to dev.ts, its group and every descendant ever listed: clean-up after a failure. */
  kill(): void;
}

/** Starts `node scripts/dev.ts` in its own process group with exactly `env`. */
export function startDev(env: NodeJS.ProcessEnv): DevProcess {
  const child = spawn(process.execPath, ['scripts/dev.ts'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn scripts/dev.ts');
  const lines: string[] = [];
  const events = new EventEmitter();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      events.emit('line', line);
    });
  }
  const exited = once(child, 'close').then(() => ({
    code: child.exitCode,
    signal: child.signalCode,
  }));
  const seen = new Set<number>();

  const descendants = (): number[] => {
    const found: number[] = [];
    const queue = [pid];
    for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
      const out = spawnSync('pgrep', ['-P', String(parent)], { encoding: 'utf8' }).stdout;
      for (const p of out.split('\n').filter(Boolean).map(Number)) {
        found.push(p);
        queue.push(p);
      }
    }
    for (const p of found) seen.add(p);
    return found;
  };

  return {
    pid,
    lines,
    exited,
    descendants,
    waitForLine(pattern, timeoutMs) {
      const early = lines.find((l) => pattern.test(l));
      if (early !== undefined) return Promise.resolve(early);
      // One listener for the whole wait: readline emits a chunk's lines in one go.
      return new Promise<string>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          events.off('line', onLine);
          child.off('close', onClose);
        };
        const onLine = (line: string): void => {
          if (!pattern.test(line)) return;
          done();
          resolve(line);
        };
        const onClose = (): void => {
          done();
          reject(new Error(`dev.ts exited before printing ${pattern}:\n${lines.join('\n')}`));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line ${pattern} within ${timeoutMs} ms:\n${lines.join('\n')}`));
        }, timeoutMs);
        events.on('line', onLine);
        child.once('close', onClose);
      });
    },
    interrupt: () => process.kill(-pid, 'SIGINT'),
    kill() {
      if (child.exitCode === null && child.signalCode === null) descendants();
      for (const target of [-pid, pid, ...seen]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Whether a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export async function isListening(port: number): Promise<boolean> {
  const socket = net.connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}
