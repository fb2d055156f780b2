import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../net/free-port.ts';

export interface RedisServerHandle {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
  /** The child process, for tests that kill Redis on purpose. */
  process: ChildProcess;
}

/** Message shown when `redis-server` is not installed. */
export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. Install it with `sudo apt-get install -y redis-server` ' +
  '(Debian/Ubuntu) or `brew install redis` (macOS), or set REDIS_URL to a running Redis.';

/** Whether a `redis-server` binary is available. */
export function hasRedisServer(bin = process.env.REDIS_SERVER_BIN ?? 'redis-server'): boolean {
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Spawns the system `redis-server` on a free port with its own temporary directory, no
 * persistence and `maxmemory-policy noeviction` (BullMQ must never have keys evicted).
 */
export async function startRedisServer(
  opts: { port?: number; host?: string } = {},
): Promise<RedisServerHandle> {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  if (!hasRedisServer(bin)) throw new Error(REDIS_INSTALL_HINT);
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port && opts.port > 0 ? opts.port : await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), 'storefront-redis-'));
  const child = spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      host,
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'no',
      '--loglevel',
      'warning',
    ],
    // Own process group: a Ctrl-C in the terminal reaches the API and worker, which still need
    // Redis to shut down cleanly; whoever started this server stops it last via stop().
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  // Never outlive the process that started it, even when stop() is not reached.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(host, port, 10_000, exited);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start on ${host}:${port}: ${stderr || String(err)}`, {
      cause: err,
    });
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://${host}:${port}`,
    port,
    process: child,
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 3_000);
          await exited;
          clearTimeout(t);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** Resolves once host:port accepts connections; rejects on timeout or when `exited` settles first. */
export async function waitForPort(
  host: string,
  port: number,
  timeoutMs: number,
  exited: Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error('redis-server exited');
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host, () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out waiting for redis-server');
}
