import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../net/free-port.ts';
import {
  hasRedisServer,
  killGroup,
  REDIS_INSTALL_HINT,
  redisDataArgs,
  spawnRedis,
  stopRedisNode,
} from './redis-server.ts';

const run = promisify(execFile);

/** One process of the Sentinel deployment. */
export interface RedisSentinelNode {
  host: string;
  port: number;
  /** The running process, or null once stopped (stopNode). */
  process: ChildProcess | null;
}

export interface RedisSentinelHandle {
  /** `host:port,…` of the Sentinels: the value of REDIS_SENTINELS. */
  sentinelsList: string;
  /** The monitored master name: the value of REDIS_SENTINEL_MASTER. */
  masterName: string;
  /** Data nodes: [0] starts as primary, [1] as its replica. */
  dataNodes: RedisSentinelNode[];
  sentinels: RedisSentinelNode[];
  /** `host:port` the Sentinels currently name as primary. */
  primaryAddress(): Promise<string>;
  /** Kills data node `index` (SIGKILL by default: a crash). */
  stopDataNode(index: number, signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts a stopped data node again, on its port with its first arguments and no data (no
   * persistence). An old primary comes back claiming to be one; the Sentinels turn it into a
   * replica of the current primary (waitUntilHealthy sees that happen).
   */
  startDataNode(index: number): Promise<void>;
  /**
   * Resolves once every running data node other than the primary the Sentinels name replicates
   * from it with its link up (synced).
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every process (SIGKILL to each process group) and removes their directories. */
  stop(): Promise<void>;
}

/**
 * Starts a primary, one replica and three Sentinels (quorum 2) of the real redis-server on free
 * loopback ports, and waits until every Sentinel sees the primary, its replica and the other
 * Sentinels. Any failure while starting stops whatever was started.
 */
export async function startRedisSentinel(
  opts: {
    host?: string;
    masterName?: string;
    /** How long the primary may be unreachable before the Sentinels fail it over. */
    downAfterMs?: number;
    /** `requirepass` of every process: data nodes (REDIS_PASSWORD) and Sentinels (REDIS_SENTINEL_PASSWORD). */
    password?: string;
  } = {},
): Promise<RedisSentinelHandle> {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const cliBin = process.env.REDIS_CLI_BIN ?? 'redis-cli';
  if (!hasRedisServer(bin)) throw new Error(REDIS_INSTALL_HINT);
  const host = opts.host ?? '127.0.0.1';
  const masterName = opts.masterName ?? 'storefront';
  const root = mkdtempSync(join(tmpdir(), 'storefront-redis-sentinel-'));

  interface Proc extends RedisSentinelNode {
    exited: Promise<void>;
  }
  const procs: Proc[] = [];
  const killAll = () => {
    for (const p of procs) killGroup(p.process, 'SIGKILL');
  };
  process.once('exit', killAll);

  const launch = async (args: string[], port: number): Promise<Proc> => {
    const started = await spawnRedis(bin, args, {
      host,
      port,
      what: `redis-server ${args.includes('--sentinel') ? 'sentinel' : 'data node'}`,
    });
    const p: Proc = { host, port, ...started };
    procs.push(p);
    return p;
  };
  const password = opts.password;
  // The replica authenticates to the primary (and, after a failover, the old primary to the new one).
  const auth = password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
  const dataArgs = (port: number, dir: string, extra: string[] = []) => [
    ...redisDataArgs(host, port, dir),
    ...auth,
    ...extra,
  ];

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(procs.map((p) => stopRedisNode(p, 'SIGKILL')));
      process.off('exit', killAll);
      rmSync(root, { recursive: true, force: true });
    })();
    return stopping;
  };

  const cliAuth = password === undefined ? [] : ['--no-auth-warning', '-a', password];
  const cli = async (port: number, ...args: string[]) =>
    (
      await run(cliBin, ['-h', host, '-p', String(port), ...cliAuth, ...args], {
        timeout: 5_000,
      })
    ).stdout;

  try {
    const primaryPort = await freePort(host);
    const primaryArgs = dataArgs(primaryPort, mkdtempSync(join(root, 'primary-')));
    const primary = await launch(primaryArgs, primaryPort);
    const replicaPort = await freePort(host);
    const replicaArgs = dataArgs(replicaPort, mkdtempSync(join(root, 'replica-')), [
      '--replicaof',
      host,
      String(primaryPort),
    ]);
    const replica = await launch(replicaArgs, replicaPort);
    const dataNodes = [
      { node: primary, args: primaryArgs },
      { node: replica, args: replicaArgs },
    ];
    const sentinels: Proc[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort(host);
      const dir = mkdtempSync(join(root, `sentinel-${i}-`));
      // Sentinel rewrites its config file as it learns the topology: one writable file each.
      const file = join(dir, 'sentinel.conf');
      writeFileSync(
        file,
        [
          `port ${port}`,
          `bind ${host}`,
          `dir ${dir}`,
          'protected-mode no',
          `sentinel monitor ${masterName} ${host} ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${masterName} ${opts.downAfterMs ?? 1_000}`,
          `sentinel failover-timeout ${masterName} 10000`,
          `sentinel parallel-syncs ${masterName} 1`,
          // A Sentinel with requirepass also uses it towards the other Sentinels.
          ...(password === undefined
            ? []
            : [`requirepass ${password}`, `sentinel auth-pass ${masterName} ${password}`]),
          '',
        ].join('\n'),
      );
      sentinels.push(await launch([file, '--sentinel', '--loglevel', 'warning'], port));
    }

    // Ready once every Sentinel knows the replica (synced) and the two other Sentinels.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const views = await Promise.all(
        sentinels.map((s) =>
          cli(s.port, 'SENTINEL', 'MASTER', masterName).catch((err: unknown) => String(err)),
        ),
      );
      const field = (view: string, name: string) => {
        const lines = view.trim().split('\n');
        const at = lines.indexOf(name);
        return at >= 0 ? lines[at + 1] : undefined;
      };
      const synced = (await cli(replicaPort, 'INFO', 'replication')).includes(
        'master_link_status:up',
      );
      if (
        synced &&
        views.every(
          (v) => field(v, 'num-slaves') === '1' && field(v, 'num-other-sentinels') === '2',
        )
      ) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`sentinels did not settle within 30 s: ${views.join(' | ')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }

    const primaryAddress = async (): Promise<string> => {
      for (const s of sentinels) {
        if (s.process === null) continue;
        const reply = await cli(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName).catch(
          () => '',
        );
        const [h, p] = reply.trim().split('\n');
        if (h && p) return `${h}:${p}`;
      }
      throw new Error('no sentinel answered');
    };

    const waitUntilHealthy = async (timeoutMs = 30_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        const current = await primaryAddress().catch((err: unknown) => String(err));
        const states = await Promise.all(
          dataNodes.map(async ({ node }) => {
            if (node.process === null || `${host}:${node.port}` === current) return 'ok';
            const info = await cli(node.port, 'INFO', 'replication').catch((e: unknown) =>
              String(e),
            );
            const port = current.split(':').pop() ?? '';
            const following =
              /role:slave/.test(info) && new RegExp(`^master_port:${port}\\r?$`, 'm').test(info);
            return following && /master_link_status:up/.test(info)
              ? 'ok'
              : `${node.port}: not a synced replica of ${current}`;
          }),
        );
        if (states.every((state) => state === 'ok')) return;
        last = states.join('; ');
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`redis sentinel set not healthy within ${timeoutMs} ms: ${last}`);
    };

    return {
      sentinelsList: sentinels.map((s) => `${host}:${s.port}`).join(','),
      masterName,
      dataNodes: dataNodes.map((d) => d.node),
      sentinels,
      primaryAddress,
      stopDataNode: (index, signal = 'SIGKILL') => stopRedisNode(dataNodes[index]?.node, signal),
      startDataNode: async (index) => {
        const entry = dataNodes[index];
        if (entry === undefined || entry.node.process !== null) return;
        const started = await spawnRedis(bin, entry.args, {
          host,
          port: entry.node.port,
          what: 'redis-server data node',
        });
        entry.node.process = started.process;
        entry.node.exited = started.exited;
      },
      waitUntilHealthy,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
