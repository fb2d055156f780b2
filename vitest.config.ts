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
    // The main suite's files share their worker's module cache instead of importing the app,
    // mongoose, BullMQ and the stand-ins afresh for each of its ~140 files: about 2 s of imports
    // per file, a third of the suite's time (two isolated runs took 293 and 299 s, three shared ones
    // 193-200 s, two of them in shuffled file order). It holds because no test leaves global
    // state behind: each builds its own app, metrics registry, connections and database, and
    // restores what it sets in process.env. The heavy suite's few files keep their own processes.
    isolate: heavy,
    fileParallelism: !heavy,
    maxWorkers: 2,
  },
});
