import { describe, expect, it } from 'vitest';
import { runReconciliation } from '../src/reconciliation/reconciliation.service.ts';
import { metricValue, reconciliationSetup } from './reconciliation-fixtures.ts';

// Razorpay's rate limits and outages, against the sandbox: faults are armed for this test's own
// account only, and the sandbox's request log (arrival times) shows what reconciliation did.

const setup = reconciliationSetup({ RECONCILE_CONCURRENCY: '1' });

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] as number));

describe('reconciliation under Razorpay rate limits and outages', () => {
  it('when Razorpay answers 429 with Retry-After, then calls wait it out and the order is still settled', async () => {
    const [w, p] = await setup();
    const order = await w.order({ ageMs: 60_000 });
    await w.pay(order.gatewayOrderId as string, 'captured');
    await w.fault({ status: 429, count: 2, retryAfter: 1 });

    const summary = await runReconciliation(p.deps);

    expect(summary).toMatchObject({ result: 'completed', outcomes: { marked_paid: 1 } });
    const calls = await w.paymentCalls();
    expect(calls.map((c) => c.status)).toEqual([429, 429, 200]);
    for (const gap of gaps(calls.map((c) => c.at))) expect(gap).toBeGreaterThanOrEqual(1_000);
    expect(await metricValue(p, 'razorpay_calls_total', 'status="429"')).toBe(2);
    const deferred = (await w.transactions(order._id)).filter((t) => t.outcome === 'deferred');
    expect(deferred).toHaveLength(2);
    expect(deferred[0]?.error).toContain('429');
  });

  it('when failures go on, then the pause grows with each and the run leaves the rest to the next run', async () => {
    const [w, p] = await setup({ RAZORPAY_BACKOFF_BASE_MS: '400', RECONCILE_MAX_RETRIES: '2' });
    const first = await w.order({ ageMs: 60_000 });
    const second = await w.order({ ageMs: 50_000 });
    for (const o of [first, second]) await w.pay(o.gatewayOrderId as string, 'captured');
    await w.fault({ status: 503, count: 3 });

    const interrupted = await runReconciliation(p.deps);

    expect(interrupted).toMatchObject({ result: 'interrupted', checked: 0, leftForNextRun: 2 });
    // Only a completed run counts as a success (the "no completed run" alert reads this).
    expect(await metricValue(p, 'reconciliation_last_success_timestamp_seconds')).toBe(0);
    expect((await w.find(first._id)).status).toBe('pending');
    let calls = await w.paymentCalls();
    // Three calls in all (the first plus RECONCILE_MAX_RETRIES), with growing pauses:
    // jittered within [200, 400] ms, then [400, 800] ms.
    expect(calls.map((c) => c.status)).toEqual([503, 503, 503]);
    const [g1, g2] = gaps(calls.map((c) => c.at)) as [number, number];
    expect(g1).toBeGreaterThanOrEqual(200);
    expect(g2).toBeGreaterThanOrEqual(400);

    const next = await runReconciliation(p.deps);

    expect(next).toMatchObject({ result: 'completed', checked: 2, outcomes: { marked_paid: 2 } });
    expect(await metricValue(p, 'reconciliation_last_success_timestamp_seconds')).toBe(
      next.finishedAt.getTime() / 1000,
    );
    calls = await w.paymentCalls();
    expect(calls.map((c) => c.status)).toEqual([503, 503, 503, 200, 200]);
    // The next run honoured the pause the third failure set ([800, 1600] ms).
    expect(
      (calls[3] as { at: number }).at - (calls[2] as { at: number }).at,
    ).toBeGreaterThanOrEqual(800);
    expect(await metricValue(p, 'reconciliation_runs_total', 'result="interrupted"')).toBe(1);
  });

  it('when Razorpay does not answer in time or cannot be reached, then it is backed off the same way', async () => {
    const [w, p] = await setup({ RAZORPAY_TIMEOUT_MS: '1000' });
    const order = await w.order({ ageMs: 60_000 });
    await w.pay(order.gatewayOrderId as string, 'captured');
    await w.fault({ latencyMs: 3_000, count: 1 });

    expect(await runReconciliation(p.deps)).toMatchObject({ outcomes: { marked_paid: 1 } });
    expect(await metricValue(p, 'razorpay_calls_total', 'status="timeout"')).toBe(1);

    const [u, q] = await setup({
      RAZORPAY_API_BASE_URL: 'http://127.0.0.1:9',
      RECONCILE_MAX_RETRIES: '1',
    });
    const unreachable = await u.order({ ageMs: 60_000 });
    const summary = await runReconciliation(q.deps);
    expect(summary).toMatchObject({ result: 'interrupted', leftForNextRun: 1 });
    expect(await metricValue(q, 'razorpay_calls_total', 'status="network"')).toBe(2);
    expect((await u.transactions(unreachable._id)).map((t) => t.outcome)).toEqual([
      'deferred',
      'deferred',
    ]);
  });

  it('when many orders are checked in parallel, then calls stay under RAZORPAY_MAX_CALLS_PER_SECOND', async () => {
    const [w, p] = await setup({ RECONCILE_CONCURRENCY: '8', RAZORPAY_MAX_CALLS_PER_SECOND: '10' });
    for (let i = 0; i < 25; i += 1) await w.order({ ageMs: 60_000 - i });

    // The sandbox stamps arrivals with timeOrigin + now(); so does this, in another process.
    const started = performance.timeOrigin + performance.now();
    const summary = await runReconciliation(p.deps);

    expect(summary.checked).toBe(25);
    const times = (await w.paymentCalls()).map((c) => c.at);
    expect(times).toHaveLength(25);
    // Slots are 100 ms apart from the run's start and each call waits for its own: the k-th call
    // to arrive comes at least k × 100 ms after the start. (Late timers only delay calls;
    // uncapped, the 25 calls would arrive within ~50 ms.)
    times.forEach((t, k) => expect(t - started).toBeGreaterThanOrEqual(k * 100 - 10));
  });
});
