import { defineConfig } from 'vitest/config';

// End-to-end runs that start whole stacks of processes and measure latency, and Lighthouse runs
// (CPU-heavy, their simulation scales with the machine's load): they run after the rest, one at a
// time, so they neither starve nor are starved by other test files
// (`TEST_SUITE=heavy vitest run`; `make test` runs both suites).
const HEAVY = [
  'tests/load/load.test.ts',
  'tests/load/drop.test.ts',
  'tests/chaos/chaos.test.ts',
  'tests/lighthouse/lighthouse-runner.test.ts',
];
const heavy = process.env.TEST_SUITE === 'heavy';

// One global setup starts the shared services (redis-server, the MongoDB-compatible server or
// MONGO_URL, the Razorpay sandbox, local S3) once and stops them on exit, even after failure.
export default defineConfig({
  test: {
    include: heavy
      ? HEAVY
      : [
          'apps/*/src/**/*.test.ts',
          'apps/*/test/**/*.test.ts',
          'packages/*/src/**/*.test.ts',
          'packages/*/test/**/*.test.ts',
          'tests/**/*.test.ts',
        ],
    exclude: heavy ? [] : HEAVY,
    globalSetup: [
      './packages/devstack/src/test-harness/global-setup.ts',
      './packages/test-support/src/contract-report.ts',
    ],
    setupFiles: ['./packages/test-support/src/contract-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: !heavy,
    maxWorkers: 2,
  },
});
