import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  endLog,
  pipeChildOutput,
  pollUntil,
  tailOf,
  type ChildOutput,
} from '@storefront/test-support';

// Child processes of a chaos run: each in its own process group (so a SIGKILL reaches anything
// it started), output appended to one log file per name across restarts.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A Node entry point run as a child process that can be killed and started again. */
export interface ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  /** Current pid (changes on restart); undefined while not running. */
  pid(): number | undefined;
  running(): boolean;
  /** Starts the process (again); resolves once `ready` says so. */
  start(): Promise<void>;
  /** SIGKILL without warning; resolves when it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
  /** Times the process was started. */
  starts(): number;
  /** Exits nobody asked for (a crash, or a signal from outside the run), as `code`/`signal`. */
  unexpectedExits(): string[];
}

export interface ProcessSpec {
  name: string;
  /** Script path relative to the repository root, run with this Node binary. */
  script: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  logDir: string;
  /** Resolves when the freshly started process is ready; rejects to fail the start. */
  ready?: (proc: ChildProcess, signal: AbortSignal) => Promise<void>;
  readyTimeoutMs?: number;
}

/** Creates a managed process; nothing runs until `start()`. */
export function managedProcess(spec: ProcessSpec): ManagedProcess {
  const logFile = join(spec.logDir, `${spec.name}.log`);
  let log: WriteStream | undefined;
  // The outputs of every start into `log`: a killed one can still be writing its last lines.
  let outputs: ChildOutput[] = [];
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let expectingExit = false;
  let startCount = 0;
  const unexpected: string[] = [];

  const isRunning = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;

  const start = async (): Promise<void> => {
    if (isRunning()) throw new Error(`${spec.name} is already running`);
    log ??= createWriteStream(logFile, { flags: 'a' });
    expectingExit = false;
    startCount += 1;
    log.write(`\n===== ${spec.name} start #${startCount} at ${new Date().toISOString()} =====\n`);
    const child = spawn(process.execPath, [spec.script, ...(spec.args ?? [])], {
      cwd: ROOT,
      env: spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc = child;
    outputs.push(pipeChildOutput(child, log));
    exited = once(child, 'exit').then(() => {
      if (!expectingExit) unexpected.push(child.signalCode ?? `exit ${child.exitCode}`);
    });
    if (!spec.ready) return;
    const abort = new AbortController();
    const timeoutMs = spec.readyTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        spec.ready(child, abort.signal),
        exited.then(() => {
          throw new Error(
            `${spec.name} exited while starting (code ${child.exitCode}, signal ${child.signalCode})\n${tailOf(logFile)}`,
          );
        }),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${spec.name} not ready within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  };

  const signal = (sig: NodeJS.Signals): void => {
    const pid = proc?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };

  let stopping: Promise<void> | undefined;
  return {
    name: spec.name,
    logFile,
    pid: () => (isRunning() ? proc?.pid : undefined),
    running: isRunning,
    start: async () => {
      stopping = undefined;
      await start();
    },
    kill: async () => {
      if (!isRunning()) return;
      expectingExit = true;
      signal('SIGKILL');
      await exited;
    },
    stop: (graceMs = 10_000) => {
      stopping ??= (async () => {
        if (isRunning()) {
          expectingExit = true;
          signal('SIGTERM');
          const t = setTimeout(() => signal('SIGKILL'), graceMs);
          await exited;
          clearTimeout(t);
        }
        // Anything the process group left behind.
        signal('SIGKILL');
        if (log) {
          const ending = endLog(log, outputs);
          log = undefined;
          outputs = [];
          await ending;
        }
      })();
      return stopping;
    },
    starts: () => startCount,
    unexpectedExits: () => [...unexpected],
  };
}

/** Resolves when the child prints a line containing `needle` on stdout. */
export function printed(needle: string) {
  return (proc: ChildProcess, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      let buf = '';
      const onData = (chunk: Buffer) => {
        buf += chunk.toString();
        if (buf.includes(needle)) done();
        else buf = buf.slice(-needle.length);
      };
      const done = () => {
        proc.stdout?.off('data', onData);
        resolve();
      };
      proc.stdout?.on('data', onData);
      signal.addEventListener('abort', () => proc.stdout?.off('data', onData), { once: true });
    });
}

/** Resolves once `url` answers 200. */
export function httpOk(url: string) {
  return async (_proc: ChildProcess, signal: AbortSignal): Promise<void> => {
    // No deadline of its own: the caller bounds the start (readyTimeoutMs) and aborts `signal`.
    await pollUntil(
      async () => {
        const res = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
        await res?.arrayBuffer().catch(() => undefined);
        return res?.status;
      },
      (status) => status === 200,
      { what: `${url} to answer 200`, timeoutMs: Infinity, intervalMs: 100, signal },
    );
  };
}
