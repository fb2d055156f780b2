import { describe, expect, it } from 'vitest';
import type { OrderRecord } from './traffic.ts';
import { judge, type Facts } from './verify.ts';

// The verdict rules on hand-made facts: a clean run passes, and each kind of loss or duplicate
// the chaos run looks for is reported.

function cleanFacts(): Facts {
  const records: OrderRecord[] = [
    {
      index: 0,
      fate: 'captured',
      seller: 0,
      orderId: 'o1',
      gatewayOrderId: 'g1',
      checkoutRetries: 0,
      paymentIds: ['p1'],
    },
    {
      index: 1,
      fate: 'abandoned',
      seller: 1,
      orderId: 'o2',
      gatewayOrderId: 'g2',
      checkoutRetries: 1,
      paymentIds: [],
    },
  ];
  return {
    records,
    poisoned: [{ eventId: 'ev_poison', kind: 'amount_mismatch', orderId: 'o3', status: 200 }],
    gatewayOrders: new Map([
      ['g1', 'paid'],
      ['g2', 'created'],
      ['g3', 'created'],
    ]),
    gatewayPayments: new Map([['p1', { id: 'p1', orderId: 'g1', status: 'captured' }]]),
    orders: [
      {
        id: 'o1',
        status: 'paid',
        gatewayOrderId: 'g1',
        paymentId: 'p1',
        deliveryStatus: 'delivered',
      },
      { id: 'o2', status: 'expired', gatewayOrderId: 'g2' },
      { id: 'o3', status: 'pending', gatewayOrderId: 'g3' },
    ],
    deliveries: ['o1'],
    paidTransactions: [{ orderId: 'o1', paymentId: 'p1', source: 'webhook' }],
    duplicateCaptureTransactions: 0,
    inbox: [
      { id: 'ev1', status: 'processed' },
      { id: 'ev2', status: 'processed' },
      { id: 'ev_poison', status: 'dead' },
    ],
    dlq: [{ id: 'ev_poison', status: 'dead' }],
    acknowledgedEventIds: ['ev1', 'ev1', 'ev2', 'ev_poison'],
    webhookCopies: { delivered: 4, dropped: 0, failed: 0, pending: 0, retried: 0 },
    alertedEventIds: ['ev_poison'],
    deliveredLogLines: new Map([['o1', 1]]),
  };
}

describe('chaos verdict', () => {
  it('when every capture is paid once and delivered once, then the run passes', () => {
    const v = judge(cleanFacts());
    expect(v.violations).toEqual([]);
    expect(v.passed).toBe(true);
    expect(v.figures).toMatchObject({ captured: 1, paid: 1, lost: 0, appliedTwice: 0 });
  });

  it('when a captured order is not paid, then it is reported lost', () => {
    const f = cleanFacts();
    f.orders[0] = { id: 'o1', status: 'pending', gatewayOrderId: 'g1' };
    f.deliveries = [];
    f.paidTransactions = [];
    f.deliveredLogLines = new Map();
    const v = judge(f);
    expect(v.passed).toBe(false);
    expect(v.figures.lost).toBe(1);
    expect(v.violations.join('\n')).toMatch(/LOST: captured at the gateway/);
  });

  it('when an order has two `paid` transactions, then it is reported applied twice', () => {
    const f = cleanFacts();
    f.paidTransactions.push({ orderId: 'o1', paymentId: 'p1', source: 'reconciliation' });
    const v = judge(f);
    expect(v.figures.appliedTwice).toBe(1);
    expect(v.violations.join('\n')).toMatch(/APPLIED TWICE/);
  });

  it('when an order is delivered twice, then both the records and the logs count it', () => {
    const f = cleanFacts();
    f.deliveries.push('o1');
    f.deliveredLogLines.set('o1', 2);
    const v = judge(f);
    expect(v.figures.doubleDeliveries).toBe(1);
    expect(v.violations.filter((l) => l.startsWith('DOUBLE DELIVERY'))).toHaveLength(2);
  });

  it('when an order is paid without a capture at the gateway, then it is reported', () => {
    const f = cleanFacts();
    f.orders[1] = {
      id: 'o2',
      status: 'paid',
      gatewayOrderId: 'g2',
      paymentId: 'p9',
      deliveryStatus: 'delivered',
    };
    f.deliveries.push('o2');
    f.paidTransactions.push({ orderId: 'o2', source: 'webhook' });
    const v = judge(f);
    expect(v.figures.paidWithoutCapture).toBe(1);
  });

  it('when an acknowledged webhook is missing from the inbox, then it is reported lost', () => {
    const f = cleanFacts();
    f.acknowledgedEventIds.push('ev_gone');
    expect(judge(f).figures.acknowledgedNotInInbox).toBe(1);
  });

  it('when a paid order has no `paid` transaction, then the log is inconsistent', () => {
    const f = cleanFacts();
    f.paidTransactions = [];
    const v = judge(f);
    expect(v.figures.transactionMismatches).toBe(1);
    expect(v.passed).toBe(false);
  });

  it('when the DLQ holds an event that was not poisoned, or a poisoned one is not alerted, then it fails', () => {
    const f = cleanFacts();
    f.dlq.push({ id: 'ev2', status: 'dead' });
    f.alertedEventIds = [];
    const v = judge(f);
    expect(v.figures.dlqUnexpected).toBe(1);
    expect(v.figures.poisonedAlerted).toBe(0);
    expect(v.violations).toHaveLength(2);
  });
});
