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
  opts: {
    port?: number;
    host?: string;
    /** Also serve TLS (on a second port, `tlsUrl`) with this certificate; clients not asked for one. */
    tls?: { certFile: string; keyFile: string };
  } = {},
): Promise<RedisServerHandle & { tlsUrl?: string }> {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  if (!hasRedisServer(bin)) throw new Error(REDIS_INSTALL_HINT);
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port && opts.port > 0 ? opts.port : await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), 'storefront-redis-'));
  const tlsPort = opts.tls ? await freePort(host) : undefined;
  const tlsArgs = opts.tls
    ? [
        '--tls-port',
        String(tlsPort),
        '--tls-cert-file',
        opts.tls.certFile,
        '--tls-key-file',
        opts.tls.keyFile,
        '--tls-ca-cert-file',
        opts.tls.certFile,
        '--tls-auth-clients',
        'no',
      ]
    : [];
  let server: RedisProcess;
  try {
    server = await spawnRedis(
      bin,
      [...redisDataArgs(host, port, dir), ...tlsArgs],
      { host, port, what: 'redis-server' },
      {
        // Never outlive the process that started it, even when stop() is not reached.
        killOnExit: true,
      },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://${host}:${port}`,
    ...(tlsPort === undefined ? {} : { tlsUrl: `rediss://${host}:${tlsPort}` }),
    port,
    process: server.process,
    stop: () => {
      stopping ??= (async () => {
        await stopRedisProcess(server, 'SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/**
 * The flags of every data node the devstack starts: bound to `host`, its own directory, no
 * persistence, `maxmemory-policy noeviction` (BullMQ must never have keys evicted).
 */
export function redisDataArgs(host: string, port: number, dir: string): string[] {
  return [
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
  ];
}

/** A redis-server (data node or Sentinel) the devstack started, with its exit as a promise. */
export interface RedisProcess {
  process: ChildProcess;
  exited: Promise<void>;
}

/**
 * Spawns `bin args` in its own process group (a Ctrl-C in the terminal reaches the API and worker,
 * which still need Redis to shut down cleanly; whoever started it stops it last) and resolves once
 * `where.port` accepts connections. On failure the process is killed and the error carries its
 * stderr. `killOnExit`: SIGKILL it if this process exits first.
 */
export async function spawnRedis(
  bin: string,
  args: string[],
  where: { host: string; port: number; what: string },
  opts: { killOnExit?: boolean } = {},
): Promise<RedisProcess> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  if (opts.killOnExit) {
    const kill = () => killGroup(child, 'SIGKILL');
    process.once('exit', kill);
    child.once('exit', () => process.off('exit', kill));
  }
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(where.host, where.port, 10_000, exited);
  } catch (err) {
    killGroup(child, 'SIGKILL');
    throw new Error(
      `${where.what} did not start on ${where.host}:${where.port}: ${stderr || String(err)}`,
      { cause: err },
    );
  }
  return { process: child, exited };
}

/** Sends `signal` to a started process's group, SIGKILL after 3 s, and waits until it exits. */
export async function stopRedisProcess(p: RedisProcess, signal: NodeJS.Signals): Promise<void> {
  const child = p.process;
  if (child.exitCode === null && child.signalCode === null) {
    killGroup(child, signal);
    const t = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000);
    await p.exited;
    clearTimeout(t);
  }
}

/**
 * Stops a node of a multi-process deployment (cluster, Sentinel set) if it runs, as
 * stopRedisProcess does, and marks it stopped (`process: null`); a no-op when it is not running.
 */
export async function stopRedisNode(
  node: { process: ChildProcess | null; exited: Promise<void> } | undefined,
  signal: NodeJS.Signals,
): Promise<void> {
  if (node?.process == null) return;
  await stopRedisProcess({ process: node.process, exited: node.exited }, signal);
  node.process = null;
}

/** Signals a detached child's whole process group (its group id is its pid). */
export function killGroup(child: ChildProcess | null, signal: NodeJS.Signals): void {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
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
