import { Cluster, Redis as IORedis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../logging/logger.ts';
import { singleRedisTarget, type RedisTarget } from './redis-target.ts';

/** A connection to one node, a Sentinel-watched primary, or a Cluster: what every Redis user takes. */
export type Redis = IORedis | Cluster;
export { Cluster as RedisCluster } from 'ioredis';

/** What a connection is for; each role has its own failure behaviour (see the factories below). */
export type RedisRole = 'cache' | 'producer' | 'queue' | 'subscriber';

/** Per-call additions to a role's options. */
export interface RedisExtra {
  /** Prefix of every key (cache and rate limits; never BullMQ, which has its own prefix). */
  keyPrefix?: string;
  /** Queue commands while disconnected instead of failing them (tests that start before Redis). */
  enableOfflineQueue?: boolean;
}

interface RoleOptions {
  enableOfflineQueue: boolean;
  maxRetriesPerRequest: number | null;
  connectTimeout?: number;
  commandTimeout?: number;
  retryDelay: (times: number) => number;
}

// Commands fail fast while Redis is unreachable (no offline queue, one retry) so request handlers
// can fall back instead of hanging.
const FAIL_FAST: RoleOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  commandTimeout: 1_000,
  retryDelay: (times) => Math.min(times * 100, 2_000),
};

const ROLE_OPTIONS: Record<RedisRole, RoleOptions> = {
  cache: FAIL_FAST,
  // Subscribers hold (S)SUBSCRIBE state; on Cluster they also open one connection per primary.
  subscriber: FAIL_FAST,
  // BullMQ producers in request handlers: an unreachable Redis is an error the caller handles.
  producer: {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryDelay: (times) => Math.min(times * 100, 2_000),
  },
  // BullMQ workers and queue event listeners: blocking commands must wait out Redis outages.
  queue: {
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    retryDelay: (times) => Math.min(times * 200, 2_000),
  },
};

/**
 * The one place Redis connections are built: a `Redis` for one node or Sentinel, a `Cluster` for
 * Cluster, with the role's failure behaviour, credentials and TLS from `target`. A string is a
 * one-node URL.
 */
export function createRedis(
  target: RedisTarget | string,
  role: RedisRole,
  logger: Logger,
  extra: RedisExtra = {},
): Redis {
  const t = typeof target === 'string' ? singleRedisTarget(target) : target;
  const r = ROLE_OPTIONS[role];
  const enableOfflineQueue = extra.enableOfflineQueue ?? r.enableOfflineQueue;
  const node: RedisOptions = {
    maxRetriesPerRequest: r.maxRetriesPerRequest,
    ...(r.connectTimeout === undefined ? {} : { connectTimeout: r.connectTimeout }),
    ...(r.commandTimeout === undefined ? {} : { commandTimeout: r.commandTimeout }),
    ...(t.username === undefined ? {} : { username: t.username }),
    ...(t.password === undefined ? {} : { password: t.password }),
    ...(t.tls ? { tls: t.tlsCa === undefined ? {} : { ca: t.tlsCa } } : {}),
  };
  const keyPrefix = extra.keyPrefix === undefined ? {} : { keyPrefix: extra.keyPrefix };
  let client: Redis;
  switch (t.mode) {
    case 'single':
      client = new IORedis(t.url, {
        ...node,
        ...keyPrefix,
        enableOfflineQueue,
        retryStrategy: r.retryDelay,
      });
      break;
    case 'sentinel':
      client = new IORedis({
        ...node,
        ...keyPrefix,
        sentinels: t.sentinels,
        name: t.masterName,
        ...(t.sentinelPassword === undefined ? {} : { sentinelPassword: t.sentinelPassword }),
        // Without it ioredis drops `tls` for the primary it is pointed at.
        ...(t.tls ? { enableTLSForSentinelMode: true } : {}),
        enableOfflineQueue,
        retryStrategy: r.retryDelay,
        // Reconnect to the new primary when a READONLY reply shows we talk to a demoted one.
        reconnectOnError: (err) => err.message.startsWith('READONLY'),
      });
      break;
    case 'cluster': {
      const options: ClusterOptions = {
        ...keyPrefix,
        redisOptions: node,
        enableOfflineQueue,
        clusterRetryStrategy: r.retryDelay,
        // SSUBSCRIBE needs a connection to the primary owning each channel's slot.
        shardedSubscribers: role === 'subscriber',
      };
      client = new Cluster(t.nodes, options);
      break;
    }
    default:
      t satisfies never;
      throw new Error('unknown Redis target');
  }
  return attachListeners(client, logger, role);
}

function attachListeners(redis: Redis, logger: Logger, role: string): Redis {
  let lastErrorLog = 0;
  redis.on('error', (err: Error) => {
    // A down Redis emits an error per reconnect attempt; one line every 5 s is enough.
    const now = Date.now();
    if (now - lastErrorLog > 5_000) {
      lastErrorLog = now;
      logger.error('redis error', { role, err });
    }
  });
  redis.on('ready', () => logger.info('redis ready', { role }));
  return redis;
}

/** A fail-fast connection for cache and rate limits (see createRedis, role `cache`). */
export function createCacheRedis(
  target: RedisTarget | string,
  logger: Logger,
  extra: RedisExtra = {},
): Redis {
  return createRedis(target, 'cache', logger, extra);
}

/** A connection for BullMQ workers and queue events (see createRedis, role `queue`). */
export function createQueueRedis(
  target: RedisTarget | string,
  logger: Logger,
  extra: RedisExtra = {},
): Redis {
  return createRedis(target, 'queue', logger, extra);
}

/** A fail-fast connection for BullMQ producers (see createRedis, role `producer`). */
export function createProducerRedis(
  target: RedisTarget | string,
  logger: Logger,
  extra: RedisExtra = {},
): Redis {
  return createRedis(target, 'producer', logger, extra);
}

/** True when Redis answers PING. */
export async function pingRedis(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/**
 * Resolves once `redis` is connected, or after `timeoutMs` regardless: processes start ready
 * when Redis is, but still start (degraded, reporting not ready) when it is down.
 */
export function waitForRedisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}
