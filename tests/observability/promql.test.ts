import { describe, expect, it } from 'vitest';
import { metricNamesIn, sourceMetricsOf } from './promql.ts';

describe('metricNamesIn', () => {
  it.each([
    ['up{job=~"api|worker"} == 0', ['up']],
    ['sum(increase(events_dead_total[15m])) > 0', ['events_dead_total']],
    [
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{route="/api/v1/store/:username"}[$__rate_interval])))',
      ['http_request_duration_seconds_bucket'],
    ],
    [
      'time() - max(a_seconds) > 360 and on () max(time() - b_seconds{service="worker"}) > 360',
      ['a_seconds', 'b_seconds'],
    ],
    ['(sum(rate(x_total{tier!="mongo"}[5m])) or vector(0)) / sum(rate(x_total[5m]))', ['x_total']],
    ['sum(rate(x_total[5m])) by (status) / ignoring(status) group_left sum(y)', ['x_total', 'y']],
    ['rate(x_total[5m] offset 1h) > bool 1e3', ['x_total']],
    ['min_over_time(level:metric:op{state="waiting"}[10m:1m]) > 0', ['level:metric:op']],
    ['count(ALERTS{alertstate="firing"}) or vector(0)', ['ALERTS']],
    ['label_replace(up, "dst", "$1", "src", "(.*)")', ['up']],
  ])('when reading %s, then it names %j', (expr, names) => {
    expect(metricNamesIn(expr)).toEqual(names);
  });
});

describe('sourceMetricsOf', () => {
  const recordings = new Map([
    ['job:requests:rate5m', 'sum(rate(requests_total[5m]))'],
    ['job:requests:ratio', 'job:requests:rate5m / sum(rate(all_total[5m]))'],
  ]);

  it('when an expression uses recording rules, then it resolves them to the metrics they read', () => {
    expect(sourceMetricsOf('job:requests:ratio < 0.95 and up', recordings)).toEqual([
      'requests_total',
      'all_total',
      'up',
    ]);
  });

  it('when a name looks like a recording rule that does not exist, then it throws', () => {
    expect(() => sourceMetricsOf('job:renamed:rate5m > 1', recordings)).toThrow(
      'job:renamed:rate5m is not a recording rule',
    );
  });
});
