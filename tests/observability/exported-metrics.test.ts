import { describe, expect, it } from 'vitest';
import { exportedSeriesNames } from '@storefront/test-support';

describe('exportedSeriesNames', () => {
  it('when a scrape has samples, declared-only counters, histograms and summaries, then it lists the series Prometheus stores', () => {
    const text = [
      '# HELP up_total a counter with samples',
      '# TYPE events_dead_total counter',
      'events_dead_total 0',
      '# TYPE webhooks_received_total counter',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.1",route="/x"} 3',
      '# TYPE gc_seconds summary',
      'dlq_size{status="dead"} 2',
    ].join('\n');

    expect([...exportedSeriesNames(text)].sort()).toEqual([
      'dlq_size',
      'events_dead_total',
      'gc_seconds',
      'gc_seconds_count',
      'gc_seconds_sum',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_sum',
      'webhooks_received_total',
    ]);
  });
});
