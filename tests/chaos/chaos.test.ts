import { describe, expect, it } from 'vitest';
import { runChaos, type ChaosReport } from './chaos.ts';
import { parseChaosOptions } from './options.ts';
import { formatReport } from './report.ts';

// The short chaos runs of `make test`: 500 checkouts under every fault on one Redis node, and 150
// on a Redis Cluster whose primary holding the queues is SIGKILLed (`make chaos` runs 10 000). They
// start their own processes and services (a Redis they may crash, a MongoDB whose failpoint they
// own), so they use nothing from the global setup. With MONGO_URL set they run against that MongoDB.

/** Runs chaos with `args` and checks that nothing was lost, applied twice or delivered twice. */
async function runAndCheck(args: string[]): Promise<{ report: ChaosReport; summary: string }> {
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

describe('chaos (short run)', () => {
  it('when workers are SIGKILLed, Redis restarts empty, MongoDB fails 5% of writes and Razorpay throttles and drops webhooks, then no payment is lost or applied twice', async () => {
    const { report } = await runAndCheck(['--profile', 'short']);
    const options = report.options;
    expect(report.figures.captured).toBeGreaterThan(options.orders * 0.8);
    // The faults really happened.
    expect(report.faults.workerKills).toBeGreaterThan(0);
    expect(report.faults.redisOutages).toBe(1);
    expect(report.faults.mongoFaultMs).toBeGreaterThan(0);
    expect(report.gateway.throttled).toBeGreaterThan(0);
    expect(report.figures.capturedWithWebhooksLost).toBeGreaterThan(0);
    expect(report.figures.poisonedDead).toBe(options.poison);
  }, 300_000);

  it('when the Redis Cluster primary holding the queues is SIGKILLed mid-run and restarted empty, then its replica takes over, the old node rejoins as a replica, and no payment is lost, applied twice or delivered twice', async () => {
    // Kept short (30–40 s): the failover halfway and the sandbox's lost webhooks; the other faults
    // are the first run's.
    const { report, summary } = await runAndCheck([
      ...['--profile', 'short', '--redis', 'cluster', '--orders', '150'],
      ...['--redis-outage-at', '0.5', '--kill-every-ms', '0', '--mongo-fail-ratio', '0'],
      ...['--throttle-ms', '0', '--poison', '0'],
    ]);
    // The primary really died and another node took its slots over; jobs ran again after it.
    const failover = report.faults.failover;
    expect(failover, summary).toBeDefined();
    expect(failover?.promoted).not.toBe(failover?.killed);
    expect(failover?.writesBackMs).toBeGreaterThan(0);
    expect(failover?.firstJobMs).toBeGreaterThanOrEqual(0);
    // The crashed node came back while traffic ran and replicates the node that took over.
    expect(failover?.rejoinedMs, summary).toBeGreaterThanOrEqual(0);
  }, 300_000);
});
