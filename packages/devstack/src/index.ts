// Public API of @storefront/devstack: local stand-ins for external services (dev and tests only;
// production code never imports this package).
export {
  startRedisServer,
  hasRedisServer,
  REDIS_INSTALL_HINT,
  type RedisServerHandle,
} from './redis/redis-server.ts';
export {
  startRedisCluster,
  type RedisClusterHandle,
  type RedisClusterNode,
  type RedisClusterOptions,
} from './redis/redis-cluster.ts';
export {
  startRedisSentinel,
  type RedisSentinelHandle,
  type RedisSentinelNode,
} from './redis/redis-sentinel.ts';
export { freePort } from './net/free-port.ts';
export { withDatabase } from './test-harness/mongo-url.ts';
export * from './mongo/index.ts';
export * from './razorpay/index.ts';
export * from './s3/index.ts';
