// Test-only helpers (they call vitest's inject()): import from '@storefront/devstack/test-harness'.
export {
  clusterRedisEnv,
  clusterTarget,
  clusterTestConfig,
  testConfig,
  uniqueName,
} from './test-config.ts';
export { withDatabase } from './mongo-url.ts';
