import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import type { Redis } from './redis.ts';

/** True when `redis` talks to a Redis Cluster (multi-key commands must stay in one slot). */
export function isRedisCluster(redis: Redis): redis is Cluster {
  return redis instanceof Cluster;
}

/** The hash slot `key` lands in through `redis` (its key prefix included). */
export function redisKeySlot(redis: Redis, key: string): number {
  return calculateSlot(`${redis.options.keyPrefix ?? ''}${key}`);
}

/**
 * Indices of `keys` grouped so that each group may go to one multi-key command or script: one
 * group per hash slot on Cluster, a single group (all of them, in order) on one node or Sentinel.
 */
export function groupBySlot(redis: Redis, keys: readonly string[]): number[][] {
  if (!isRedisCluster(redis)) return keys.length === 0 ? [] : [keys.map((_, i) => i)];
  const groups = new Map<number, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const slot = redisKeySlot(redis, keys[i]!);
    let group = groups.get(slot);
    if (group === undefined) groups.set(slot, (group = []));
    group.push(i);
  }
  return [...groups.values()];
}
