import { describe, expect, it } from 'vitest';
import { runAndCheck } from './short-run.ts';

// The first short chaos run of `make test` (tests/chaos/short-run.ts): every fault on one Redis node.

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
});
