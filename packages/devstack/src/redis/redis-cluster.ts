import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '../net/free-port.ts';
import {
  hasRedisServer,
  killGroup,
  REDIS_INSTALL_HINT,
  redisDataArgs,
  spawnRedis,
  stopRedisNode,
} from './redis-server.ts';

/** One redis-server of a local cluster. */
export interface RedisClusterNode {
  host: string;
  port: number;
  /** The running process, or null while the node is stopped (stopNode). */
  process: ChildProcess | null;
}

export interface RedisClusterHandle {
  /** `host:port,…` of every node: the value of REDIS_CLUSTER_NODES. */
  nodesList: string;
  nodes: RedisClusterNode[];
  /** Kills node `index` (SIGKILL by default: a crash), keeping its directory and identity. */
  stopNode(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped node again on the same port and directory; it rejoins the cluster. */
  startNode(index: number): Promise<void>;
  /** Index of the node currently serving as primary for `slot`. */
  primaryForSlot(slot: number): Promise<number>;
  /** Resolves once every running node reports `cluster_state:ok` and every replica has synced. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node (SIGKILL to each process group) and removes their directories. */
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  host?: string;
  primaries?: number;
  replicasPerPrimary?: number;
  /** How long a primary may be unreachable before its replica takes over (cluster-node-timeout). */
  nodeTimeoutMs?: number;
}

/**
 * Starts a Redis Cluster of real redis-server processes on free loopback ports (default 3
 * primaries + 3 replicas) and forms it with `redis-cli --cluster create`. No persistence, except
 * each node's nodes.conf, so a restarted node keeps its identity. Any failure while starting stops
 * whatever was started.
 */
export async function startRedisCluster(
  opts: RedisClusterOptions = {},
): Promise<RedisClusterHandle> {
  // Free ports are picked before the nodes bind them, so another process on the machine can take
  // one in between (seen once in a full run: `Node … is not configured as a cluster node`). The
  // nodes are stopped and the cluster is built again on new ports, twice at most.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisClusterOnce(opts);
    } catch (err) {
      if (attempt >= 3 || !/cluster create failed/.test(String(err))) throw err;
    }
  }
}

async function startRedisClusterOnce(opts: RedisClusterOptions): Promise<RedisClusterHandle> {
  const serverBin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const cliBin = process.env.REDIS_CLI_BIN ?? 'redis-cli';
  if (!hasRedisServer(serverBin)) throw new Error(REDIS_INSTALL_HINT);
  const host = opts.host ?? '127.0.0.1';
  const count = (opts.primaries ?? 3) * (1 + (opts.replicasPerPrimary ?? 1));
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 2_000;
  const root = mkdtempSync(join(tmpdir(), 'storefront-redis-cluster-'));

  interface Slot extends RedisClusterNode {
    busPort: number;
    dir: string;
    exited: Promise<void>;
  }
  const slots: Slot[] = [];
  const killAll = () => {
    for (const n of slots) killGroup(n.process, 'SIGKILL');
  };
  process.once('exit', killAll);

  const launch = async (n: Slot): Promise<void> => {
    const started = await spawnRedis(
      serverBin,
      [
        ...redisDataArgs(host, n.port, n.dir),
        '--cluster-enabled',
        'yes',
        // Chosen explicitly: port + 10000 (the default) may be taken or above 65535.
        '--cluster-port',
        String(n.busPort),
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
      ],
      { host, port: n.port, what: 'redis-server (cluster node)' },
    );
    n.process = started.process;
    n.exited = started.exited;
  };

  const stopNode = (index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> =>
    stopRedisNode(slots[index], signal);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(slots.map((_, i) => stopNode(i)));
      process.off('exit', killAll);
      rmSync(root, { recursive: true, force: true });
    })();
    return stopping;
  };

  // redis-cli rather than a client library: devstack stays free of Redis client dependencies.
  const cli = async (n: RedisClusterNode, ...args: string[]): Promise<string> =>
    (await run(cliBin, ['-h', n.host, '-p', String(n.port), ...args], { timeout: 5_000 })).stdout;

  const waitUntilHealthy = async (timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const states = await Promise.all(
        slots.map(async (n) => {
          if (n.process === null) return 'stopped';
          try {
            const info = await cli(n, 'CLUSTER', 'INFO');
            if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) {
              return `${n.port}: ${info.split(/\r?\n/).slice(0, 3).join(' ')}`;
            }
            // A replica counts once it has synced: until then a primary's WAIT sees no replica.
            const replication = await cli(n, 'INFO', 'replication');
            return /role:slave/.test(replication) && !/master_link_status:up/.test(replication)
              ? `${n.port}: replica not synced`
              : 'ok';
          } catch (err) {
            return `${n.port}: ${String(err)}`;
          }
        }),
      );
      if (states.every((s) => s === 'ok' || s === 'stopped')) return;
      last = states.join('; ');
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis cluster not healthy within ${timeoutMs} ms: ${last}`);
  };

  const primaryForSlot = async (slot: number): Promise<number> => {
    for (const n of slots) {
      if (n.process === null) continue;
      let text: string;
      try {
        text = await cli(n, 'CLUSTER', 'NODES');
      } catch {
        continue;
      }
      // `<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges…>`
      for (const line of text.split('\n')) {
        const f = line.trim().split(' ');
        if (!(f[2] ?? '').includes('master') || (f[2] ?? '').includes('fail')) continue;
        const port = Number((f[1] ?? '').split('@')[0]?.split(':').pop());
        const serves = f.slice(8).some((range) => {
          const [from, to] = range.split('-').map(Number);
          return from !== undefined && slot >= from && slot <= (to ?? from);
        });
        const index = slots.findIndex((s) => s.port === port);
        if (serves && index >= 0) return index;
      }
    }
    throw new Error(`no node serves slot ${slot}`);
  };

  try {
    // Every node's port and bus port, all different: none is bound until the nodes start.
    const ports = await freePorts(2 * count, host);
    for (let i = 0; i < count; i++) {
      const dir = join(root, `node-${i}`);
      slots.push({
        host,
        port: ports[2 * i] as number,
        busPort: ports[2 * i + 1] as number,
        dir: mkdtempSync(`${dir}-`),
        process: null,
        exited: Promise.resolve(),
      });
    }
    await Promise.all(slots.map(launch));
    const created = spawnSync(
      cliBin,
      [
        '--cluster',
        'create',
        ...slots.map((n) => `${host}:${n.port}`),
        '--cluster-replicas',
        String(opts.replicasPerPrimary ?? 1),
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (created.status !== 0) {
      throw new Error(
        `redis-cli --cluster create failed (${created.error?.message ?? `exit ${created.status}`}): ${created.stdout}${created.stderr}`,
      );
    }
    await waitUntilHealthy();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    nodesList: slots.map((n) => `${host}:${n.port}`).join(','),
    nodes: slots,
    stopNode,
    startNode: async (index) => {
      const n = slots[index];
      if (n === undefined || n.process !== null) return;
      await launch(n);
    },
    primaryForSlot,
    waitUntilHealthy,
    stop,
  };
}

const run = promisify(execFile);
