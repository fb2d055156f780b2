import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { createLogger } from '../logging/logger.ts';
import { createRedis, RedisCluster } from './redis.ts';
import { redisTargetFromConfig } from './redis-target.ts';

const logger = createLogger({ level: 'silent', service: 'test' });

describe('redisTargetFromConfig', () => {
  it('when only REDIS_URL is set, then the target is one node; rediss:// turns TLS on', () => {
    expect(redisTargetFromConfig(loadConfig({ REDIS_URL: 'redis://r:1' }))).toEqual({
      mode: 'single',
      url: 'redis://r:1',
      tls: false,
    });
    expect(redisTargetFromConfig(loadConfig({ REDIS_URL: 'rediss://r:1' })).tls).toBe(true);
  });

  it('when cluster nodes and credentials are set, then the target is a cluster with them', () => {
    const target = redisTargetFromConfig(
      loadConfig({
        REDIS_CLUSTER_NODES: 'a:7000,[::1]:7001',
        REDIS_USERNAME: 'app',
        REDIS_PASSWORD: 'pw',
        REDIS_TLS: 'true',
      }),
    );
    expect(target).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: '::1', port: 7001 },
      ],
      username: 'app',
      password: 'pw',
      tls: true,
    });
  });

  it('when sentinels are set, then the target names them and the master', () => {
    expect(
      redisTargetFromConfig(
        loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26380', REDIS_SENTINEL_MASTER: 'main' }),
      ),
    ).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      masterName: 'main',
      tls: false,
    });
  });
});

describe('createRedis', () => {
  // Port 1 refuses connections; the clients are only inspected, then disconnected.
  it('when the target is one node, then each role keeps its failure behaviour', () => {
    const cache = createRedis('redis://127.0.0.1:1', 'cache', logger, { keyPrefix: 'p:' });
    const queue = createRedis('redis://127.0.0.1:1', 'queue', logger);
    const producer = createRedis('redis://127.0.0.1:1', 'producer', logger);
    try {
      expect(cache).not.toBeInstanceOf(RedisCluster);
      expect(cache.options).toMatchObject({
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 1_000,
        keyPrefix: 'p:',
      });
      expect(queue.options).toMatchObject({ maxRetriesPerRequest: null, enableOfflineQueue: true });
      expect(producer.options).toMatchObject({
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      });
    } finally {
      for (const c of [cache, queue, producer]) c.disconnect();
    }
  });

  it('when the target is a cluster, then a Cluster gets the role options, prefix, credentials and TLS', () => {
    const target = {
      mode: 'cluster' as const,
      nodes: [{ host: '127.0.0.1', port: 1 }],
      username: 'app',
      password: 'pw',
      tls: true,
    };
    const cache = createRedis(target, 'cache', logger, { keyPrefix: 'p:' });
    const queue = createRedis(target, 'queue', logger);
    const subscriber = createRedis(target, 'subscriber', logger);
    try {
      expect(cache).toBeInstanceOf(RedisCluster);
      const options = (cache as RedisCluster).options;
      expect(options).toMatchObject({ keyPrefix: 'p:', enableOfflineQueue: false });
      expect(options.redisOptions).toMatchObject({
        maxRetriesPerRequest: 1,
        username: 'app',
        password: 'pw',
        tls: {},
      });
      expect((queue as RedisCluster).options.redisOptions).toMatchObject({
        maxRetriesPerRequest: null,
      });
      expect((subscriber as RedisCluster).options.shardedSubscribers).toBe(true);
      expect((cache as RedisCluster).options.shardedSubscribers).toBe(false);
    } finally {
      for (const c of [cache, queue, subscriber]) c.disconnect();
    }
  });

  it('when the target is a sentinel, then a Redis is told the sentinels and the master name', () => {
    const client = createRedis(
      {
        mode: 'sentinel',
        sentinels: [{ host: '127.0.0.1', port: 1 }],
        masterName: 'm',
        tls: false,
      },
      'producer',
      logger,
    );
    try {
      expect(client).not.toBeInstanceOf(RedisCluster);
      expect(client.options).toMatchObject({
        sentinels: [{ host: '127.0.0.1', port: 1 }],
        name: 'm',
        enableOfflineQueue: false,
      });
    } finally {
      client.disconnect();
    }
  });
});
