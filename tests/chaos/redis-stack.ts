import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  startRedisCluster,
  startRedisServer,
  startRedisSentinel,
  type RedisSentinelHandle,
  type RedisServerHandle,
} from '@storefront/devstack';
import {
  createLogger,
  createRedis,
  QUEUES,
  redisKeySlot,
  redisTargetFromConfig,
  type Config,
  type Redis,
} from '@storefront/shared';
import { pollUntil } from '@storefront/test-support';
import type { RedisDeployment } from './options.ts';

// The chaos run's Redis: one redis-server, a Cluster (3 primaries + 3 replicas) or a Sentinel set
// (primary, replica, 3 Sentinels, with passwords), and the one Redis fault of the run. On one node
// the fault is a crash and an empty restart; on Cluster and Sentinel it is a SIGKILL of the primary
// holding the queues, after which its replica (holding whatever asynchronous replication had
// copied) takes over. The kill is timed to the moment the primary stops, and the recovery is
// measured from there with the application's own view of the deployment (redisTargetFromConfig).

/** How quickly the system recovered from a primary's death. */
export interface FailoverFigures {
  /** `host:port` of the killed primary and of the node serving the queues afterwards. */
  killed: string;
  promoted: string;
  /** Kill → a write to the queues' hash slot is accepted again. */
  writesBackMs: number;
  /** Kill → the first webhook or delivery job completed (BullMQ's events stream); -1 = none seen. */
  firstJobMs: number;
  /**
   * The killed node started again (empty, as after a crash without persistence) → it replicates
   * the primary that took over, synced; -1 = not within the recovery timeout.
   */
  rejoinedMs: number;
}

/** The run's Redis deployment and its fault. */
export interface ChaosRedis {
  deployment: RedisDeployment;
  /** The variables that point API and worker processes at it. */
  env: Record<string, string>;
  /** What it is, for the log. */
  description: string;
  /** One node: SIGKILL (no persistence: every key is gone). Cluster/Sentinel: see failover(). */
  crash(): Promise<void>;
  /** One node: an empty redis-server on the same port. */
  start(): Promise<void>;
  /**
   * Cluster/Sentinel: SIGKILLs the primary holding the queues, then measures the recovery through
   * a client built from `config` as the processes build theirs; once a job has completed again,
   * starts the killed node again and waits until it is a synced replica. `onKilled` is called the
   * moment the primary is gone.
   */
  failover(config: Config, onKilled: (killed: string) => void): Promise<FailoverFigures>;
  /** Every process, stopped; safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL to every process (for process.on('exit')). */
  killAllSync(): void;
}

/** How long the recovery may take before the run reports it as not recovered. */
const RECOVERY_TIMEOUT_MS = 120_000;

/** Starts the deployment; `queuePrefix` is the run's QUEUE_PREFIX (its hash tag picks the slot). */
export async function startChaosRedis(
  deployment: RedisDeployment,
  queuePrefix: string,
): Promise<ChaosRedis> {
  switch (deployment) {
    case 'single': {
      let server: RedisServerHandle = await startRedisServer();
      const port = server.port;
      return {
        deployment,
        env: { REDIS_URL: server.url },
        description: `Redis ${server.url}`,
        crash: async () => {
          server.process.kill('SIGKILL');
          await server.stop();
        },
        start: async () => {
          server = await startRedisServer({ port });
        },
        failover: () => Promise.reject(new Error('one Redis node has no replica to fail over to')),
        stop: () => server.stop(),
        killAllSync: () => server.process.kill('SIGKILL'),
      };
    }
    case 'cluster': {
      // A replica takes over once its primary has been unreachable for cluster-node-timeout.
      const cluster = await startRedisCluster({ nodeTimeoutMs: 2_000 });
      return replicated(deployment, queuePrefix, () => cluster.stop(), {
        env: { REDIS_CLUSTER_NODES: cluster.nodesList },
        description: `Redis Cluster ${cluster.nodesList} (3 primaries + 3 replicas)`,
        killQueuePrimary: async (slot) => {
          const index = await cluster.primaryForSlot(slot);
          await cluster.stopNode(index, 'SIGKILL');
          return {
            killed: address(cluster.nodes[index]),
            restart: async (timeoutMs) => {
              await cluster.startNode(index);
              await cluster.waitUntilHealthy(timeoutMs);
            },
          };
        },
        queuePrimary: async (slot) => address(cluster.nodes[await cluster.primaryForSlot(slot)]),
        processes: () => cluster.nodes,
      });
    }
    case 'sentinel': {
      const password = randomBytes(12).toString('hex');
      // The Sentinels fail the primary over after 1 s without an answer.
      const sentinel: RedisSentinelHandle = await startRedisSentinel({
        password,
        downAfterMs: 1_000,
      });
      return replicated(deployment, queuePrefix, () => sentinel.stop(), {
        env: {
          REDIS_SENTINELS: sentinel.sentinelsList,
          REDIS_SENTINEL_MASTER: sentinel.masterName,
          REDIS_PASSWORD: password,
          REDIS_SENTINEL_PASSWORD: password,
        },
        description: `Redis Sentinel ${sentinel.sentinelsList} (primary, replica, 3 Sentinels; passwords)`,
        killQueuePrimary: async () => {
          const primary = await sentinel.primaryAddress();
          const index = sentinel.dataNodes.findIndex((n) => address(n) === primary);
          if (index < 0) throw new Error(`the Sentinels name ${primary}, not a node of the run`);
          await sentinel.stopDataNode(index, 'SIGKILL');
          return {
            killed: primary,
            restart: async (timeoutMs) => {
              await sentinel.startDataNode(index);
              await sentinel.waitUntilHealthy(timeoutMs);
            },
          };
        },
        queuePrimary: () => sentinel.primaryAddress(),
        processes: () => [...sentinel.dataNodes, ...sentinel.sentinels],
      });
    }
    default:
      deployment satisfies never;
      throw new Error(`unknown Redis deployment ${String(deployment)}`);
  }
}

interface ReplicatedDeployment {
  env: Record<string, string>;
  description: string;
  /**
   * SIGKILLs the primary serving `slot`; resolves once it is gone, with its `host:port` and how to
   * start it again (resolving once it is a synced replica, rejecting after `timeoutMs`).
   */
  killQueuePrimary(
    slot: number,
  ): Promise<{ killed: string; restart: (timeoutMs: number) => Promise<void> }>;
  /** `host:port` of the primary serving `slot` now. */
  queuePrimary(slot: number): Promise<string>;
  processes(): Array<{ process: ChildProcess | null }>;
}

function replicated(
  deployment: 'cluster' | 'sentinel',
  queuePrefix: string,
  stopDeployment: () => Promise<void>,
  d: ReplicatedDeployment,
): ChaosRedis {
  let probe: Redis | undefined;
  // A key in the queues' hash slot (QUEUE_PREFIX carries the hash tag).
  const probeKey = `${queuePrefix}:chaos-probe`;
  const streams = [QUEUES.webhooks, QUEUES.deliveries].map((q) => `${queuePrefix}:${q}:events`);

  return {
    deployment,
    env: d.env,
    description: d.description,
    crash: () => Promise.reject(new Error(`on ${deployment} the Redis fault is failover()`)),
    start: () => Promise.resolve(),
    failover: async (config, onKilled) => {
      // The application's own view of the deployment and its queue role: the probe follows the
      // failover the way the workers' connections do.
      const redis = createRedis(
        redisTargetFromConfig(config),
        'queue',
        createLogger({ level: 'silent', service: 'chaos-probe' }),
      );
      probe = redis;
      await once(redis, 'ready');
      const slot = redisKeySlot(redis, probeKey);
      const { killed, restart } = await d.killQueuePrimary(slot);
      const t0 = Date.now();
      onKilled(killed);
      // Writes: a SET in the queues' slot, tried again (through the client's own reconnection and
      // topology refresh) until one is accepted.
      await pollUntil(
        () =>
          redis.set(probeKey, String(Date.now()), 'PX', 60_000).then(
            (reply) => reply === 'OK',
            () => false,
          ),
        Boolean,
        { what: 'a write to the queues slot after the kill', timeoutMs: RECOVERY_TIMEOUT_MS },
      );
      const writesBackMs = Date.now() - t0;
      // Jobs: the first `completed` event either queue's events stream got after the kill (oldest
      // first from the kill on). Its stream id is the new primary's clock in ms (same machine).
      let firstJobMs = -1;
      await pollUntil(
        async () => {
          for (const key of streams) {
            const entries = await redis
              .xrange(key, `${t0}-0`, '+', 'COUNT', 2_000)
              .catch(() => [] as Array<[string, string[]]>);
            const completed = entries.find(([, fields]) => {
              const at = fields.indexOf('event');
              return at >= 0 && fields[at + 1] === 'completed';
            });
            if (completed === undefined) continue;
            const at = Number(completed[0].split('-')[0]) - t0;
            if (firstJobMs < 0 || at < firstJobMs) firstJobMs = at;
          }
          return firstJobMs >= 0;
        },
        Boolean,
        {
          what: 'a job completed after the kill',
          timeoutMs: RECOVERY_TIMEOUT_MS,
          intervalMs: 100,
        },
      ).catch(() => undefined);
      const promoted = await d
        .queuePrimary(slot)
        .catch((err: unknown) => `unknown (${String(err)})`);
      // The crashed machine comes back while traffic runs: empty, it must rejoin as a replica of
      // the node that took over (and not, say, claim the queues' slots back with no data).
      const t1 = Date.now();
      const rejoinedMs = await restart(RECOVERY_TIMEOUT_MS).then(
        () => Date.now() - t1,
        () => -1,
      );
      return { killed, promoted, writesBackMs, firstJobMs, rejoinedMs };
    },
    stop: async () => {
      probe?.disconnect();
      await stopDeployment();
    },
    killAllSync: () => {
      for (const p of d.processes()) p.process?.kill('SIGKILL');
    },
  };
}

function address(node: { host: string; port: number } | undefined): string {
  if (node === undefined) throw new Error('no such Redis node');
  return `${node.host}:${node.port}`;
}
