import { defineConfig } from 'vitest/config';

// Files that start whole stacks of processes run after the main suite, in two suites of their own
// (`make test` runs all three):
// - FAULTS (`TEST_SUITE=faults`): the short chaos runs and the short drop. They assert properties
//   only (nothing lost, applied twice, delivered twice or stale; the faults happened), never a
//   timing, and each keeps about one core busy: two run beside each other.
// - HEAVY (`TEST_SUITE=heavy`): the short load test, whose thresholds are latencies, and
//   Lighthouse (CPU-heavy; its simulation scales with the machine's load): one at a time, so they
//   neither starve nor are starved by other test files.
const FAULTS = [
  'tests/chaos/chaos.test.ts',
  'tests/chaos/chaos-cluster.test.ts',
  'tests/load/drop.test.ts',
];
const HEAVY = ['tests/load/load.test.ts', 'tests/lighthouse/lighthouse-runner.test.ts'];
const suite = process.env.TEST_SUITE;
const own = suite === 'faults' ? FAULTS : suite === 'heavy' ? HEAVY : undefined;

// One global setup starts the shared services (redis-server, a Redis Cluster and a Sentinel set,
// the MongoDB-compatible server or MONGO_URL, the Razorpay sandbox, local S3) once and stops them
// on exit, even after failure. The faults and heavy suites start the services they need themselves
// (as `make chaos` and `make load-test` do), so they skip it: about 15 s of start-up each.
export default defineConfig({
  test: {
    include: own ?? [
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    exclude: own ? [] : [...FAULTS, ...HEAVY],
    globalSetup: [
      ...(own ? [] : ['./packages/devstack/src/test-harness/global-setup.ts']),
      './packages/test-support/src/contract-report.ts',
    ],
    setupFiles: ['./packages/test-support/src/contract-setup.ts'],
    // The default reporter, and the failed tests written to a file that `make test` prints last.
    reporters: ['default', './packages/test-support/src/failures-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The main suite's files share their worker's module cache instead of importing the app,
    // mongoose, BullMQ and the stand-ins afresh for each of its ~140 files: about 2 s of imports
    // per file, a third of the suite's time (two isolated runs took 293 and 299 s, three shared ones
    // 193-200 s, two of them in shuffled file order). It holds because no test leaves global
    // state behind: each builds its own app, metrics registry, connections and database, and
    // restores what it sets in process.env. The faults and heavy suites' few files keep their own
    // processes.
    isolate: own !== undefined,
    fileParallelism: suite !== 'heavy',
    // The main suite's files spend much of their time waiting (timers, Chromium, failovers, the
    // other processes they start): three at a time keep two cores busier than two did (the
    // suite took 182-205 s against 222-234 s, each run alone on a 2-core VM).
    maxWorkers: own ? 2 : 3,
  },
});
