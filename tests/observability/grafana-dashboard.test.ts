import { describe, expect, it } from 'vitest';
import {
  allPanels,
  dashboardProviders,
  dashboardQueries,
  dashboards,
  provisionedDatasources,
} from './grafana.ts';
import { sourceMetricsOf } from './promql.ts';
import { recordingRules } from './prometheus-rules.ts';

// The provisioned Grafana dashboard, checked by reading it (no Grafana here). That every metric
// it names is exported is checked against a running stack in prometheus.test.ts.

const recordings = new Map(recordingRules().map((r) => [r.record, r.expr]));
const prometheus = provisionedDatasources().find((d) => d.type === 'prometheus');
const all = dashboards();

describe('Grafana provisioning', () => {
  it('when reading the data sources, then Prometheus is one, with a uid, at the compose service', () => {
    expect(prometheus?.uid).toBeTruthy();
    expect(prometheus?.url).toBe('http://prometheus:9090');
  });

  it('when reading the dashboard providers, then one loads files from a directory', () => {
    const providers = dashboardProviders();
    expect(providers).toHaveLength(1);
    expect(providers[0]?.type).toBe('file');
    expect(providers[0]?.options.path).toMatch(/^\//);
  });

  it('when listing the dashboards, then there is at least one, each with a unique uid and a title', () => {
    expect(all.length).toBeGreaterThan(0);
    const uids = all.map(({ dashboard }) => dashboard.uid);
    expect(uids.every((u) => typeof u === 'string' && u.length > 0 && u.length <= 40)).toBe(true);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { dashboard } of all) {
      expect(dashboard.title).toBeTruthy();
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    }
  });
});

describe.each(all)('dashboard $file', ({ dashboard }) => {
  const panels = allPanels(dashboard);
  const graphs = panels.filter((p) => p.type !== 'row');

  it('when reading its panels, then ids are unique and every graph queries the provisioned Prometheus', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const wrong = graphs.flatMap((p) => {
      const problems: string[] = [];
      if (p.datasource?.uid !== prometheus?.uid) problems.push(`${p.title}: panel data source`);
      if (!p.targets?.length) problems.push(`${p.title}: no queries`);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      if (new Set(refIds).size !== refIds.length) problems.push(`${p.title}: duplicate refId`);
      for (const t of p.targets ?? []) {
        if (!t.expr?.trim()) problems.push(`${p.title}: empty query ${t.refId}`);
        if (t.datasource && t.datasource.uid !== prometheus?.uid)
          problems.push(`${p.title}: query data source`);
      }
      return problems;
    });
    expect(wrong).toEqual([]);
  });

  it('when laying out its panels, then each fits the 24-column grid and none overlap', () => {
    const boxes = panels.map((p) => ({ title: String(p.title), ...p.gridPos }));
    const misplaced = boxes.filter(
      (b) =>
        ![b.x, b.y, b.w, b.h].every((n) => Number.isInteger(n) && (n ?? -1) >= 0) ||
        (b.x ?? 0) + (b.w ?? 0) > 24,
    );
    expect(misplaced).toEqual([]);
    const overlaps: string[] = [];
    boxes.forEach((a, i) =>
      boxes.slice(i + 1).forEach((b) => {
        const apart =
          a.x! + a.w! <= b.x! || b.x! + b.w! <= a.x! || a.y! + a.h! <= b.y! || b.y! + b.h! <= a.y!;
        if (!apart) overlaps.push(`${a.title} / ${b.title}`);
      }),
    );
    expect(overlaps).toEqual([]);
  });

  it('when reading its queries, then every recording rule they use exists', () => {
    const unknown = dashboardQueries(dashboard).flatMap(({ panel, expr }) => {
      try {
        sourceMetricsOf(expr, recordings);
        return [];
      } catch (err) {
        return [`${panel}: ${(err as Error).message}`];
      }
    });
    expect(unknown).toEqual([]);
  });
});

describe('the drop dashboard', () => {
  it('when reading what it shows, then it covers the storefront, webhooks, DLQ, reconciliation, queues, MongoDB pool and processes', () => {
    const drop = all.find(({ dashboard }) => dashboard.uid === 'storefront-drop')?.dashboard;
    expect(drop).toBeDefined();
    const read = new Set(
      dashboardQueries(drop!).flatMap(({ expr }) => sourceMetricsOf(expr, recordings)),
    );
    const wanted = [
      'storefront_requests_total',
      'http_request_duration_seconds_bucket',
      'webhooks_received_total',
      'webhooks_processed_total',
      'events_retried_total',
      'events_dead_total',
      'dlq_size',
      'reconciliation_runs_total',
      'reconciliation_last_success_timestamp_seconds',
      'queue_jobs',
      'mongodb_pool_checked_out',
      'mongodb_pool_wait_queue',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
    ];
    expect(wanted.filter((m) => !read.has(m))).toEqual([]);
  });
});
