import { defineConfig } from 'vitest/config';

// One global setup starts the shared services (redis-server, the MongoDB-compatible server or
// MONGO_URL, the Razorpay sandbox, local S3) once and stops them on exit, even after failure.
export default defineConfig({
  test: {
    include: [
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    globalSetup: ['./packages/devstack/src/test-harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
