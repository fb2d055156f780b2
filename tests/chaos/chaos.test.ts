import { describe, expect, it } from 'vitest';
import { runChaos } from './chaos.ts';
import { parseChaosOptions } from './options.ts';
import { formatReport } from './report.ts';

// The short chaos run (500 checkouts) of `make test`; `make chaos` runs 10 000. It starts its own
// processes and services (it needs a Redis it may crash and a MongoDB whose failpoint it owns),
// so it uses nothing from the global setup. With MONGO_URL set it runs against that MongoDB.

describe('chaos (short run)', () => {
  it('when workers are SIGKILLed, Redis restarts empty, MongoDB fails 5% of writes and Razorpay throttles and drops webhooks, then no payment is lost or applied twice', async () => {
    const { options } = parseChaosOptions(['--profile', 'short'], process.env);
    const lines: string[] = [];
    const report = await runChaos(options, { log: (l) => lines.push(l) });
    const summary = formatReport(report);
    console.log(summary);
    expect(report.violations, `${lines.join('\n')}\n${summary}`).toEqual([]);
    expect(report.quiet).toBe(true);
    expect(report.figures.captured).toBeGreaterThan(options.orders * 0.8);
    expect(report.figures).toMatchObject({
      lost: 0,
      appliedTwice: 0,
      doubleDeliveries: 0,
      paidWithoutCapture: 0,
      acknowledgedNotInInbox: 0,
    });
    // The faults really happened.
    expect(report.faults.workerKills).toBeGreaterThan(0);
    expect(report.faults.redisOutages).toBe(1);
    expect(report.faults.mongoFaultMs).toBeGreaterThan(0);
    expect(report.gateway.throttled).toBeGreaterThan(0);
    expect(report.figures.capturedWithWebhooksLost).toBeGreaterThan(0);
    expect(report.figures.poisonedDead).toBe(options.poison);
  }, 300_000);
});
