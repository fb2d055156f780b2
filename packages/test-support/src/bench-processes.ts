import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeChildOutput } from './child-output.ts';
import { pollUntil } from './eventually.ts';

// Child processes for the benchmarks: the system under test runs as production runs it (its own
// entry points, its own processes), and the in-repo MongoDB server gets a process of its own so
// it does not share an event loop with the load generator.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = process.execPath;

/** A started child process and where its output goes. */
export interface Child {
  name: string;
  proc: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

let logDir: string | undefined;

/** Spawns `node <script> ...args` from the repo root with `env`, output to a log file. */
export function spawnNode(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Child {
  logDir ??= mkdtempSync(join(tmpdir(), 'storefront-bench-'));
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  const proc = spawn(NODE, [script, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Ended once both streams have (piping each with its own end would end it at the first).
  const output = pipeChildOutput(proc, log);
  void output.ended.then(() => log.end());
  const exited = once(proc, 'exit').then(() => undefined);
  return {
    name,
    proc,
    logFile,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until `url` answers 200 (or the child exits / the deadline passes). */
export async function waitForOk(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  await pollUntil(
    async () => {
      if (child.proc.exitCode !== null)
        throw new Error(`${child.name} exited early; see ${child.logFile}`);
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        return res.status;
      } catch {
        return 0; // not listening yet
      }
    },
    (status) => status === 200,
    { what: `${url} ready (see ${child.logFile})`, timeoutMs, intervalMs: 100 },
  );
}

/** Starts the in-repo MongoDB server in its own process on `port`. */
export async function startMongoProcess(port: number): Promise<Child & { url: string }> {
  const child = spawnNode(
    'mongo',
    'packages/devstack/src/cli.ts',
    ['mongo', '--port', String(port)],
    process.env,
  );
  const url = `mongodb://127.0.0.1:${port}`;
  await pollUntil(
    async () => {
      if (child.proc.exitCode !== null)
        throw new Error(`mongo did not start; see ${child.logFile}`);
      return new Promise<boolean>((resolve) => {
        const s = createConnection(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
    },
    Boolean,
    {
      what: `mongo listening on ${port} (see ${child.logFile})`,
      timeoutMs: 15_000,
      intervalMs: 100,
    },
  );
  return { ...child, url };
}

/** Starts the API (`apps/api/src/main.ts`) and the worker (`apps/worker/src/main.ts`). */
export async function startApiAndWorker(
  env: NodeJS.ProcessEnv,
  urls: { api: string; worker: string },
): Promise<Child[]> {
  const api = spawnNode('api', 'apps/api/src/main.ts', [], env);
  const worker = spawnNode('worker', 'apps/worker/src/main.ts', [], env);
  try {
    await waitForOk(`${urls.api}/readyz`, api);
    await waitForOk(`${urls.worker}/readyz`, worker);
  } catch (err) {
    await Promise.allSettled([api.stop(), worker.stop()]);
    throw err;
  }
  return [api, worker];
}
