import { readFileSync } from 'node:fs';
import type { Config } from '../config/config.ts';

/** A `host:port` of a Cluster seed node or a Sentinel. */
export interface RedisNode {
  host: string;
  port: number;
}

interface RedisAuth {
  username?: string;
  password?: string;
  tls: boolean;
  /** PEM of a private CA to trust for the servers' certificates (REDIS_TLS_CA_FILE). */
  tlsCa?: string;
}

/** Which Redis deployment to talk to: one node, a Cluster, or a Sentinel-watched primary. */
export type RedisTarget =
  | ({ mode: 'single'; url: string } & RedisAuth)
  | ({ mode: 'cluster'; nodes: RedisNode[] } & RedisAuth)
  | ({
      mode: 'sentinel';
      sentinels: RedisNode[];
      masterName: string;
      /** The Sentinels' own password, when they require one. */
      sentinelPassword?: string;
    } & RedisAuth);

type RedisConfig = Pick<
  Config,
  | 'REDIS_URL'
  | 'REDIS_CLUSTER_NODES'
  | 'REDIS_SENTINELS'
  | 'REDIS_SENTINEL_MASTER'
  | 'REDIS_SENTINEL_PASSWORD'
  | 'REDIS_USERNAME'
  | 'REDIS_PASSWORD'
  | 'REDIS_TLS'
  | 'REDIS_TLS_CA_FILE'
>;

/** Parses `host:port` (IPv6 in brackets); config validation has already checked the shape. */
export function parseRedisNode(entry: string): RedisNode {
  const at = entry.lastIndexOf(':');
  const host = entry.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(entry.slice(at + 1)) };
}

/** The deployment the config describes (validated by loadConfig: at most one mode is set). */
export function redisTargetFromConfig(config: RedisConfig): RedisTarget {
  const auth: RedisAuth = {
    ...(config.REDIS_USERNAME === undefined ? {} : { username: config.REDIS_USERNAME }),
    ...(config.REDIS_PASSWORD === undefined ? {} : { password: config.REDIS_PASSWORD }),
    tls: config.REDIS_TLS ?? config.REDIS_URL.startsWith('rediss://'),
    // Read once at start-up: a missing file stops the process with the path in the error.
    ...(config.REDIS_TLS_CA_FILE === undefined
      ? {}
      : { tlsCa: readFileSync(config.REDIS_TLS_CA_FILE, 'utf8') }),
  };
  if (config.REDIS_CLUSTER_NODES !== undefined) {
    return { mode: 'cluster', nodes: config.REDIS_CLUSTER_NODES.map(parseRedisNode), ...auth };
  }
  if (config.REDIS_SENTINELS !== undefined && config.REDIS_SENTINEL_MASTER !== undefined) {
    return {
      mode: 'sentinel',
      sentinels: config.REDIS_SENTINELS.map(parseRedisNode),
      masterName: config.REDIS_SENTINEL_MASTER,
      ...(config.REDIS_SENTINEL_PASSWORD === undefined
        ? {}
        : { sentinelPassword: config.REDIS_SENTINEL_PASSWORD }),
      ...auth,
    };
  }
  return { mode: 'single', url: config.REDIS_URL, ...auth };
}

/** A one-node target for a URL (tests and tools handed a URL). */
export function singleRedisTarget(url: string): RedisTarget {
  return { mode: 'single', url, tls: url.startsWith('rediss://') };
}
