import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startMongoServer } from '../mongo/index.ts';
import { startRazorpaySandbox } from '../razorpay/index.ts';
import { startRedisCluster } from '../redis/redis-cluster.ts';
import { startRedisSentinel } from '../redis/redis-sentinel.ts';
import { startRedisServer } from '../redis/redis-server.ts';
import { startS3Server } from '../s3/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A MongoDB URL (MONGO_URL when set, else the in-repo server); pick a database per test file. */
    mongoUrl: string;
    /** A dedicated redis-server for this run; use your own key/queue prefix per test. */
    redisUrl: string;
    /**
     * `host:port,…` of a Redis Cluster (REDIS_CLUSTER_NODES when set, else 3 primaries + 3
     * replicas started for this run); the cluster suites use it with their own prefixes.
     */
    redisClusterNodes: string;
    /**
     * A Sentinel-watched primary with its replica, password-protected (data nodes and Sentinels
     * alike): REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_PASSWORD and REDIS_SENTINEL_PASSWORD
     * when REDIS_SENTINELS is set, else a Sentinel set started for this run.
     */
    redisSentinel: { sentinels: string; masterName: string; password: string };
    /** The Razorpay sandbox base URL. */
    razorpayUrl: string;
    /** The local S3 endpoint. */
    s3Endpoint: string;
  }
}

/**
 * Starts the services every test run shares, once, and stops them when the run ends, whether
 * tests passed, failed or the run was interrupted.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    await Promise.allSettled(stops.reverse().map((s) => s()));
  };
  try {
    const redis = await startRedisServer();
    stops.push(() => redis.stop());
    project.provide('redisUrl', redis.url);

    const externalCluster = process.env.REDIS_CLUSTER_NODES;
    if (externalCluster) {
      project.provide('redisClusterNodes', externalCluster);
    } else {
      const cluster = await startRedisCluster();
      stops.push(() => cluster.stop());
      project.provide('redisClusterNodes', cluster.nodesList);
    }

    const externalSentinels = process.env.REDIS_SENTINELS;
    if (externalSentinels) {
      project.provide('redisSentinel', {
        sentinels: externalSentinels,
        masterName: process.env.REDIS_SENTINEL_MASTER ?? 'mymaster',
        password: process.env.REDIS_PASSWORD ?? '',
      });
    } else {
      const password = randomBytes(12).toString('hex');
      const sentinel = await startRedisSentinel({ password });
      stops.push(() => sentinel.stop());
      project.provide('redisSentinel', {
        sentinels: sentinel.sentinelsList,
        masterName: sentinel.masterName,
        password,
      });
    }

    const externalMongo = process.env.MONGO_URL;
    if (externalMongo) {
      project.provide('mongoUrl', externalMongo);
    } else {
      const mongo = await startMongoServer();
      stops.push(() => mongo.stop());
      project.provide('mongoUrl', mongo.url);
    }

    const razorpay = await startRazorpaySandbox();
    stops.push(() => razorpay.stop());
    project.provide('razorpayUrl', razorpay.url);

    // Product files in the test bucket, public images in the images bucket's default name.
    const s3 = await startS3Server({ buckets: ['storefront-test', 'storefront-images'] });
    stops.push(() => s3.stop());
    project.provide('s3Endpoint', s3.endpoint);
  } catch (err) {
    await stopAll();
    throw err;
  }
  return stopAll;
}
