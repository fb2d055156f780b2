import { describe, expect, it } from 'vitest';
import type { DropSummary } from './drop-runner.ts';
import { completeK6DropSummary } from './k6-drop-points.ts';

// Lines as `k6 run --out json=FILE` writes them: a Metric line per metric, then one Point per sample.
const point = (metric: string, value: number, tags: Record<string, string>) =>
  JSON.stringify({
    type: 'Point',
    metric,
    data: { time: '2026-12-05T15:00:00.000000000Z', value, tags },
  });

describe('k6 drop points', () => {
  it('when the raw points are read, then reads are judged against edits and orders become verifier records', () => {
    const text = [
      JSON.stringify({ type: 'Metric', metric: 'drop_read', data: { type: 'trend' } }),
      point('drop_read', 900, { rev: '0' }),
      point('drop_read', 1_500, { rev: '0' }), // stale: rev 1 acknowledged at 1,000
      point('drop_read', 1_600, { rev: '1' }),
      point('drop_edit', 1_000, { rev: '1' }),
      point('http_req_duration', 3, { step: 'json' }),
      point('drop_order', 1, {
        fate: 'failed_then_captured',
        order_id: 'o1',
        gateway_order_id: 'order_1',
        payment_ids: 'pay_a,pay_b',
        checkout_retries: '1',
        captured_at: '2000',
        download_seen_at: '2500',
      }),
      point('drop_order', 1, {
        fate: 'abandoned',
        order_id: 'o2',
        gateway_order_id: 'order_2',
        payment_ids: '',
        checkout_retries: '0',
        captured_at: '',
        download_seen_at: '',
      }),
      '',
    ].join('\n');
    const summary = { passed: true, drop: { buyers: 3 } } as unknown as DropSummary;
    const out = completeK6DropSummary(summary, text);
    expect(out.passed).toBe(false);
    expect(out.drop).toMatchObject({
      readsChecked: 3,
      revisionsSeen: { '0': 2, '1': 1 },
      staleReads: 1,
      staleExamples: [{ startedAt: 1_500, rev: 0, expected: 1 }],
      edits: [{ rev: 1, ackAt: 1_000 }],
      paid: 1,
      downloadsSeen: 1,
      downloadsNotSeen: 0,
      plans: { failed_then_captured: 1, abandoned: 1, browse: 1 },
    });
    expect(out.drop.records).toEqual([
      {
        index: 0,
        fate: 'failed_then_captured',
        seller: 0,
        checkoutRetries: 1,
        paymentIds: ['pay_a', 'pay_b'],
        orderId: 'o1',
        gatewayOrderId: 'order_1',
        capturedAt: 2_000,
        downloadSeenAt: 2_500,
      },
      {
        index: 1,
        fate: 'abandoned',
        seller: 0,
        checkoutRetries: 0,
        paymentIds: [],
        orderId: 'o2',
        gatewayOrderId: 'order_2',
      },
    ]);
  });
});
