import { describe, expect, it } from 'vitest';
import { runAndCheck } from './short-run.ts';

// The second short chaos run of `make test` (tests/chaos/short-run.ts): a Redis Cluster failover.

describe('chaos (short run, Redis Cluster)', () => {
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
