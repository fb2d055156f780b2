import { expect } from 'vitest';
import { runChaos, type ChaosReport } from './chaos.ts';
import { parseChaosOptions } from './options.ts';
import { formatReport } from './report.ts';

// The short chaos runs of `make test` (chaos.test.ts: 500 checkouts under every fault on one Redis
// node; chaos-cluster.test.ts: 150 on a Redis Cluster whose primary holding the queues is
// SIGKILLed; `make chaos` runs 10 000). They start their own processes and services (a Redis they
// may crash, a MongoDB whose failpoint they own), so they use nothing from the global setup, and
// they assert properties only (nothing lost, applied twice or delivered twice; the faults
// happened), not timings: the faults suite runs them beside each other (vitest.config.ts). With
// MONGO_URL set they run against that MongoDB.

/** Runs chaos with `args` and checks that nothing was lost, applied twice or delivered twice. */
export async function runAndCheck(
  args: string[],
): Promise<{ report: ChaosReport; summary: string }> {
  const { options } = parseChaosOptions(args, process.env);
  const lines: string[] = [];
  const report = await runChaos(options, { log: (l) => lines.push(l) });
  const summary = formatReport(report);
  console.log(summary);
  expect(report.violations, `${lines.join('\n')}\n${summary}`).toEqual([]);
  expect(report.quiet).toBe(true);
  expect(report.figures).toMatchObject({
    lost: 0,
    appliedTwice: 0,
    doubleDeliveries: 0,
    paidWithoutCapture: 0,
    acknowledgedNotInInbox: 0,
  });
  return { report, summary };
}
