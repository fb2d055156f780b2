// Test-only helpers (they call vitest's inject()): import from '@storefront/devstack/test-harness'.
export {
  clusterRedisEnv,
  clusterTarget,
  clusterTestConfig,
  REDIS_DEPLOYMENTS,
  testConfig,
  uniqueName,
} from './test-config.ts';
export { withDatabase } from './mongo-url.ts';
