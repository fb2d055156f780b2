import { describe, expect, it } from 'vitest';
import { metricTotal, metricValue, summarizeMetric } from './prom-text.ts';

const TEXT = `# HELP razorpay_calls_total x
# TYPE razorpay_calls_total counter
razorpay_calls_total{status="200",service="worker"} 4
razorpay_calls_total{status="429",service="worker"} 2
razorpay_calls_total{status="timeout",service="worker"} 1
reconciliation_last_success_timestamp_seconds{service="worker"} 1700000000
`;

describe('metric readers', () => {
  it('when labels are given as an object or in exposition syntax, then the same samples are read', () => {
    expect(metricValue(TEXT, 'razorpay_calls_total', { status: '429' })).toBe(2);
    expect(metricValue(TEXT, 'razorpay_calls_total', 'status="429"')).toBe(2);
    expect(metricValue(TEXT, 'razorpay_calls_total')).toBe(7);
    expect(metricTotal(TEXT, 'razorpay_calls_total')).toBe(7);
    expect(metricValue(TEXT, 'reconciliation_last_success_timestamp_seconds')).toBe(1_700_000_000);
  });

  it('when no sample matches, then the value is 0', () => {
    expect(metricValue(TEXT, 'razorpay_calls_total', { status: '500' })).toBe(0);
    expect(metricValue(TEXT, 'razorpay_calls')).toBe(0);
    expect(summarizeMetric(TEXT, 'dlq_size', 'status')).toBe('(none)');
  });

  it('when a metric is summarised by a label, then each value gets its sum', () => {
    expect(summarizeMetric(TEXT, 'razorpay_calls_total', 'status')).toBe('200=4 429=2 timeout=1');
  });
});
