// Test-only helpers (they call vitest's inject()): import from '@storefront/devstack/test-harness'.
export {
  clusterRedisEnv,
  clusterTarget,
  clusterTestConfig,
  REDIS_DEPLOYMENTS,
  REDIS_DEPLOYMENTS_WITH_SENTINEL,
  sentinelRedisEnv,
  testConfig,
  uniqueName,
} from './test-config.ts';
export { withDatabase } from './mongo-url.ts';
