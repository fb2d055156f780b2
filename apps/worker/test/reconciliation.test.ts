import { describe, expect, it } from 'vitest';
import { REDIS_DEPLOYMENTS } from '@storefront/devstack/test-harness';
import { orderModel, transactionModel, type Order } from '@storefront/shared';
import { runReconciliation } from '../src/reconciliation/reconciliation.service.ts';
import { metricValue, reconciliationSetup } from './reconciliation-fixtures.ts';

// On the one-node redis-server and again on the run's Redis Cluster (lock, gate, cursor, queues).
describe.each(REDIS_DEPLOYMENTS)('runReconciliation on %s', (_deployment, redisEnv) => {
  const setup = reconciliationSetup(redisEnv());

  it('when a captured payment never got its webhook, then one run marks the order paid and queues one delivery', async () => {
    const [w, p] = await setup();
    const order = await w.order({ ageMs: 60_000 });
    const { payment } = await w.pay(order.gatewayOrderId as string, 'captured');

    const summary = await runReconciliation(p.deps);

    expect(summary).toMatchObject({
      result: 'completed',
      checked: 1,
      outcomes: { marked_paid: 1 },
    });
    const paid = await w.find(order._id);
    expect(paid).toMatchObject({ status: 'paid', paymentId: payment.id });
    expect(await w.deliveryJobs(p.producers, order._id)).toBe(1);
    const log = await w.transactions(order._id);
    expect(log.filter((t) => t.outcome === 'paid')).toHaveLength(1);
    expect(log.find((t) => t.outcome === 'marked_paid')).toMatchObject({
      event: 'reconciliation.check',
      source: 'reconciliation',
      gatewayOrderId: order.gatewayOrderId,
      outcome: 'marked_paid',
      payments: [{ id: payment.id, status: 'captured', amount: 49_900 }],
    });

    // A second run finds nothing to do: the order is no longer unpaid.
    const again = await runReconciliation(p.deps);
    expect(again.checked).toBe(0);
    expect((await w.transactions(order._id)).filter((t) => t.outcome === 'paid')).toHaveLength(1);
    expect(
      await p.producers.deliveries.getJobCountByTypes('waiting', 'delayed', 'active', 'completed'),
    ).toBe(1);
  });

  it('when 250 orders are unpaid, then runs of at most 100 settle them oldest first in three runs', async () => {
    const [w, p] = await setup({ RECONCILE_CONCURRENCY: '8' });
    const orders = await w.paidButUnnotified(250, (i) => 600_000 - i * 1000);
    const paidCount = () => orderModel(w.mongo).countDocuments({ status: 'paid' }).exec();

    const first = await runReconciliation(p.deps);
    expect(first.checked).toBe(100);
    // Oldest first: exactly the 100 oldest are paid.
    const paidIds = new Set(
      (await orderModel(w.mongo).find({ status: 'paid' }).select({ _id: 1 }).lean().exec()).map(
        (o) => String(o._id),
      ),
    );
    expect(orders.slice(0, 100).every((id) => paidIds.has(String(id)))).toBe(true);

    const second = await runReconciliation(p.deps);
    expect(second.checked).toBe(100);
    expect(await paidCount()).toBe(200);
    const third = await runReconciliation(p.deps);
    expect(third.checked).toBe(50);
    expect(await paidCount()).toBe(250);
    expect(
      await p.producers.deliveries.getJobCountByTypes('waiting', 'delayed', 'active', 'completed'),
    ).toBe(250);
  }, 120_000);

  it('when unpaid orders stay pending, then the next run continues after them instead of rechecking the oldest', async () => {
    const [w, p] = await setup({ RECONCILE_BATCH_SIZE: '2' });
    const orders: Order[] = [];
    for (let i = 0; i < 5; i += 1) orders.push(await w.order({ ageMs: 60_000 - i * 1000 }));

    const runs = [];
    for (let i = 0; i < 3; i += 1) runs.push(await runReconciliation(p.deps));
    expect(runs.map((r) => r.checked)).toEqual([2, 2, 1]);
    // The third run reached the end, so the fourth starts again from the oldest.
    await runReconciliation(p.deps);
    const checks = await transactionModel(w.mongo)
      .find({ event: 'reconciliation.check' })
      .sort({ _id: 1 })
      .lean()
      .exec();
    expect(checks.map((c) => orders.findIndex((o) => String(o._id) === String(c.orderId)))).toEqual(
      [0, 1, 2, 3, 4, 0, 1],
    );
    expect(checks.every((c) => c.outcome === 'within_window')).toBe(true);
    const oldestAge = await metricValue(p, 'reconciliation_oldest_pending_order_age_seconds');
    expect(oldestAge).toBeGreaterThanOrEqual(60);
    expect(oldestAge).toBeLessThan(120);
    expect(await metricValue(p, 'reconciliation_orders_total', 'outcome="within_window"')).toBe(7);
    expect(await metricValue(p, 'reconciliation_runs_total', 'result="completed"')).toBe(4);
  });

  it('when the expiry window has passed, then all-failed orders fail, unpaid ones expire and others wait', async () => {
    const [w, p] = await setup({ RECONCILE_ORDER_EXPIRY_MS: '60000' });
    const failed = await w.order({ ageMs: 120_000 });
    await w.pay(failed.gatewayOrderId as string, 'failed');
    await w.pay(failed.gatewayOrderId as string, 'failed');
    const unpaid = await w.order({ ageMs: 120_000 });
    const authorized = await w.order({ ageMs: 120_000 });
    await w.pay(authorized.gatewayOrderId as string, 'authorized');
    const youngFailed = await w.order({ ageMs: 10_000 });
    await w.pay(youngFailed.gatewayOrderId as string, 'failed');
    const staleCreated = await w.order({ status: 'created', gateway: false, ageMs: 120_000 });
    const freshCreated = await w.order({ status: 'created', gateway: false, ageMs: 10_000 });

    const summary = await runReconciliation(p.deps);

    expect(summary).toMatchObject({ result: 'completed', checked: 4, expiredCreated: 1 });
    expect((await w.find(failed._id)).status).toBe('failed');
    expect((await w.find(unpaid._id)).status).toBe('expired');
    expect((await w.find(authorized._id)).status).toBe('pending');
    expect((await w.find(youngFailed._id)).status).toBe('pending');
    expect((await w.find(staleCreated._id)).status).toBe('expired');
    expect((await w.find(freshCreated._id)).status).toBe('created');

    expect(await metricValue(p, 'reconciliation_orders_total', 'outcome="marked_failed"')).toBe(1);
    expect(await metricValue(p, 'reconciliation_orders_total', 'outcome="marked_expired"')).toBe(2);
    expect(await metricValue(p, 'razorpay_calls_total', 'status="200"')).toBe(4);
    const failedLog = await w.transactions(failed._id);
    expect(failedLog.map((t) => t.outcome).sort()).toEqual(['failed', 'marked_failed']);
    expect(failedLog[0]?.payments).toHaveLength(2);
    expect(failedLog.every((t) => t.payments?.every((x) => x.status === 'failed'))).toBe(true);
    expect((await w.transactions(unpaid._id)).map((t) => t.outcome).sort()).toEqual([
      'expired',
      'marked_expired',
    ]);
    expect((await w.transactions(authorized._id)).map((t) => t.outcome)).toEqual([
      'awaiting_capture',
    ]);
    expect((await w.transactions(youngFailed._id)).map((t) => t.outcome)).toEqual([
      'within_window',
    ]);
    expect((await w.transactions(staleCreated._id)).map((t) => [t.source, t.outcome])).toEqual([
      ['reconciliation', 'expired'],
    ]);
  });

  it('when a webhook applies the capture while reconciliation does, then there is one transition and one delivery', async () => {
    const [w, p] = await setup({ RECONCILE_CONCURRENCY: '4' });
    const orders = [];
    for (let i = 0; i < 20; i += 1) {
      const order = await w.order({ ageMs: 60_000 });
      const { payment } = await w.pay(order.gatewayOrderId as string, 'captured');
      orders.push({ order, payment });
    }
    const webhooks = orders.map(({ order, payment }) =>
      p.deps.payments.applyCaptured(
        { order: order._id, paymentId: payment.id, amount: payment.amount, currency: 'INR' },
        { source: 'webhook', event: 'payment.captured', eventId: `evt_${payment.id}` },
      ),
    );
    const [summary, webhookOutcomes] = await Promise.all([
      runReconciliation(p.deps),
      Promise.all(webhooks),
    ]);

    const byWebhook = webhookOutcomes.filter((o) => o === 'paid').length;
    const byRun = summary.outcomes.marked_paid ?? 0;
    // Each order was marked paid exactly once, by one path or the other.
    expect(byWebhook + byRun).toBe(20);
    for (const { order } of orders) {
      expect((await w.find(order._id)).status).toBe('paid');
      expect((await w.transactions(order._id)).filter((t) => t.outcome === 'paid')).toHaveLength(1);
    }
    expect(
      await p.producers.deliveries.getJobCountByTypes('waiting', 'delayed', 'active', 'completed'),
    ).toBe(20);
  });

  it('when two runs start at once, then one holds the lock and the other is skipped', async () => {
    const [w, p] = await setup();
    const other = await w.process();
    await w.order({ ageMs: 60_000 });
    await w.fault({ latencyMs: 200 });

    const results = await Promise.all([runReconciliation(p.deps), runReconciliation(other.deps)]);

    expect(results.map((r) => r.result).sort()).toEqual(['completed', 'skipped']);
    // The lock was released: the next run goes ahead.
    expect((await runReconciliation(other.deps)).result).toBe('completed');
  });

  it('when orders belong to different Razorpay accounts, then each is checked with its own keys', async () => {
    const [w, p] = await setup();
    const creator = await w.creatorAccount();
    const mine = await w.order({ ageMs: 60_000, account: creator });
    await w.pay(mine.gatewayOrderId as string, 'captured');
    const platform = await w.order({ ageMs: 60_000 });
    await w.pay(platform.gatewayOrderId as string, 'captured');

    const summary = await runReconciliation(p.deps);

    expect(summary.outcomes).toEqual({ marked_paid: 2 });
    expect((await w.find(mine._id)).status).toBe('paid');
    expect((await w.find(platform._id)).status).toBe('paid');
  });

  it('when a creator rotated their key secret, then the run after Razorpay refused the old one checks with the new one', async () => {
    const [w, p] = await setup();
    const creator = await w.creatorAccount();
    const first = await w.order({ ageMs: 120_000, account: creator });
    await w.pay(first.gatewayOrderId as string, 'captured');
    // The process looks the creator's keys up and keeps them (and their client) for a while.
    expect((await runReconciliation(p.deps)).outcomes).toEqual({ marked_paid: 1 });

    await w.rotateCreatorSecret(creator);
    const second = await w.order({ ageMs: 60_000, account: creator });
    await w.pay(second.gatewayOrderId as string, 'captured');

    // Still the old secret: Razorpay answers 401 and the order waits.
    expect((await runReconciliation(p.deps)).outcomes).toEqual({ error: 1 });
    expect((await w.find(second._id)).status).toBe('pending');
    expect((await w.transactions(second._id))[0]?.error).toMatch(/401/);
    // The 401 dropped the cached keys, not only the client: the next run reads the new ones.
    expect((await runReconciliation(p.deps)).outcomes).toEqual({ marked_paid: 1 });
    expect((await w.find(second._id)).status).toBe('paid');
  });

  it('when Razorpay rejects an order with a 4xx, then that order is logged as an error and the run goes on', async () => {
    const [w, p] = await setup();
    const bad = await w.order({ ageMs: 120_000 });
    await orderModel(w.mongo).collection.updateOne(
      { _id: bad._id },
      { $set: { gatewayOrderId: 'order_doesnotexist1' } },
    );
    const good = await w.order({ ageMs: 60_000 });
    await w.pay(good.gatewayOrderId as string, 'captured');

    const summary = await runReconciliation(p.deps);

    expect(summary).toMatchObject({ result: 'completed', outcomes: { error: 1, marked_paid: 1 } });
    expect((await w.find(bad._id)).status).toBe('pending');
    const [entry] = await w.transactions(bad._id);
    expect(entry).toMatchObject({ source: 'reconciliation', outcome: 'error' });
    expect(entry?.error).toMatch(/400|404/);
    expect((await w.find(good._id)).status).toBe('paid');
  });
});
