import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig, parseRedisNode, type Config, type RedisTarget } from '@storefront/shared';
import { withDatabase } from './mongo-url.ts';

/** A short unique name for a test's database, queue prefix or key prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/**
 * A full, validated Config pointing at this run's services, with a database, queue prefix and
 * Redis key prefix of its own (so test files can run in parallel), plus any overrides.
 */
export function testConfig(
  overrides: Record<string, string | undefined> = {},
  name = uniqueName('t'),
): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    WORKER_HOST: '127.0.0.1',
    WORKER_HEALTH_PORT: '0',
    MONGO_URL: withDatabase(inject('mongoUrl'), name),
    MONGO_POOL_SIZE: '10',
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `{${name}}`,
    REDIS_KEY_PREFIX: `${name}:`,
    RAZORPAY_API_BASE_URL: inject('razorpayUrl'),
    RAZORPAY_CHECKOUT_URL: `${inject('razorpayUrl')}/v1/checkout.js`,
    S3_ENDPOINT: inject('s3Endpoint'),
    S3_BUCKET: 'storefront-test',
    S3_FORCE_PATH_STYLE: 'true',
    SHUTDOWN_TIMEOUT_MS: '5000',
    // An API in a test shares the test's event loop: how busy the runner happens to be must not
    // decide whether a Checkout callback is deferred. Tests of deferral ask for `always`.
    CHECKOUT_CALLBACK_DEFER: 'never',
    ...overrides,
  });
}

/** Overrides that point testConfig (or a harness built on it) at this run's Redis Cluster. */
export function clusterRedisEnv(): Record<string, string | undefined> {
  return { REDIS_URL: undefined, REDIS_CLUSTER_NODES: inject('redisClusterNodes') };
}

/** Overrides that point testConfig at this run's password-protected Sentinel set. */
export function sentinelRedisEnv(): Record<string, string | undefined> {
  const s = inject('redisSentinel');
  const password = s.password === '' ? undefined : s.password;
  return {
    REDIS_URL: undefined,
    REDIS_SENTINELS: s.sentinels,
    REDIS_SENTINEL_MASTER: s.masterName,
    REDIS_PASSWORD: password,
    REDIS_SENTINEL_PASSWORD: process.env.REDIS_SENTINEL_PASSWORD ?? password,
  };
}

type RedisDeployment = readonly [string, () => Record<string, string | undefined>];

/**
 * The Redis deployments a suite runs on, for `describe.each`: a name, and the overrides (for
 * testConfig or a harness built on it) that select the deployment.
 */
export const REDIS_DEPLOYMENTS: ReadonlyArray<RedisDeployment> = [
  ['one Redis node', () => ({})],
  ['Redis Cluster', clusterRedisEnv],
];

/** REDIS_DEPLOYMENTS and the Sentinel set (with passwords), for the suites that also run there. */
export const REDIS_DEPLOYMENTS_WITH_SENTINEL: ReadonlyArray<RedisDeployment> = [
  ...REDIS_DEPLOYMENTS,
  ['Redis Sentinel (with password)', sentinelRedisEnv],
];

/** testConfig pointed at this run's Redis Cluster instead of its one-node Redis. */
export function clusterTestConfig(
  overrides: Record<string, string | undefined> = {},
  name = uniqueName('c'),
): Config {
  return testConfig({ ...clusterRedisEnv(), ...overrides }, name);
}

/** This run's Redis Cluster as a target for createRedis. */
export function clusterTarget(): RedisTarget {
  return {
    mode: 'cluster',
    nodes: inject('redisClusterNodes').split(',').map(parseRedisNode),
    tls: false,
  };
}
