import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { webhookEventModel } from '@storefront/shared';
import {
  capturedEvent,
  exportedSeriesNames,
  pollUntil,
  postWebhook,
  scrape,
  type Stack,
  startStack,
} from '@storefront/test-support';
import { PROMETHEUS_SERIES } from './exported-metrics.ts';
import { dashboardQueries, dashboards } from './grafana.ts';
import { sourceMetricsOf } from './promql.ts';
import { startPrometheus, type PrometheusServer } from './prometheus-server.ts';
import { PROMETHEUS_DIR, alertingRules, recordingRules } from './prometheus-rules.ts';

// A real Prometheus in the loop: the shipped configuration and rules (deploy/prometheus), with
// the targets pointed at an API and a worker running on loopback and 1 s intervals, scrapes both
// with METRICS_TOKEN; a webhook event goes dead through the real path (signed webhook → inbox →
// worker → retries on a compressed schedule → dead) and the alert is read back from Prometheus'
// HTTP API. The same processes' /metrics decide whether the rules and the dashboard name only
// metrics that exist, so a renamed metric fails here rather than in an empty panel.

const TOKEN = randomBytes(16).toString('hex');
let stack: Stack;
let prometheus: PrometheusServer;

interface ScrapeConfig {
  job_name: string;
  authorization?: { type?: string; credentials_file?: string };
  static_configs?: Array<{ targets: string[] }>;
}
interface PrometheusConfig {
  global?: Record<string, string>;
  rule_files: string[];
  alerting?: unknown;
  scrape_configs: ScrapeConfig[];
}

/** The shipped config with this test's targets and token file, scraping and evaluating every second. */
function configFor(targets: Record<string, string>, tokenFile: string): PrometheusConfig {
  const shipped = parse(
    readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8'),
  ) as PrometheusConfig;
  const jobs = shipped.scrape_configs.map((s) => s.job_name).sort();
  if (jobs.join() !== Object.keys(targets).sort().join())
    throw new Error(`the shipped scrape jobs are ${jobs.join(', ')}`);
  // No Alertmanager here: the alerts are read from Prometheus.
  const { alerting: _alerting, ...rest } = shipped;
  return {
    ...rest,
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: shipped.rule_files.map((f) => join(PROMETHEUS_DIR, f)),
    scrape_configs: shipped.scrape_configs.map((job) => {
      if (!job.authorization?.credentials_file)
        throw new Error(`job ${job.job_name} does not send METRICS_TOKEN`);
      return {
        ...job,
        authorization: { ...job.authorization, credentials_file: tokenFile },
        static_configs: [{ targets: [targets[job.job_name] as string] }],
      };
    }),
  };
}

async function query<T>(path: string): Promise<T> {
  const res = await fetch(`${prometheus.url}${path}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status}`);
  return body.data;
}

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}
const alerts = () => query<{ alerts: Alert[] }>('/api/v1/alerts').then((d) => d.alerts);
const instant = (expr: string) =>
  query<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
    `/api/v1/query?query=${encodeURIComponent(expr)}`,
  ).then((d) => d.result);

/** Polls Prometheus until `check` returns a value, or fails with its log's last lines. */
const until = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000) =>
  pollUntil(check, (v) => v !== undefined, {
    what,
    timeoutMs,
    intervalMs: 250,
    detail: () => `--- prometheus log ---\n${prometheus.logTail()}`,
  }) as Promise<T>;

beforeAll(async () => {
  // 30 s … 1 h of retries in about a second.
  stack = await startStack({ METRICS_TOKEN: TOKEN, WEBHOOK_RETRY_TIME_SCALE: '0.0002' });
  const targets = { api: new URL(stack.api.url).host, worker: new URL(stack.worker.url).host };
  prometheus = await startPrometheus({
    files: { metrics_token: TOKEN, wrong_token: randomBytes(16).toString('hex') },
    config: (dir) => {
      const config = configFor(targets, join(dir, 'metrics_token'));
      // Loopback may read /metrics without a token, but a wrong one is refused: this job shows
      // that Prometheus does send the token file's contents.
      const api = config.scrape_configs.find((j) => j.job_name === 'api') as ScrapeConfig;
      const wrong = { ...api, job_name: 'api-wrong-token' };
      wrong.authorization = { ...api.authorization, credentials_file: join(dir, 'wrong_token') };
      return { ...config, scrape_configs: [...config.scrape_configs, wrong] };
    },
  });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await stack?.close();
});

describe('a real Prometheus with the shipped configuration and rules', { timeout: 90_000 }, () => {
  it('when it scrapes a running API and worker with METRICS_TOKEN, then both are up, a wrong token is refused and nothing fires', async () => {
    const targets = await until('every target scraped', async () => {
      const { activeTargets } = await query<{
        activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }>;
      }>('/api/v1/targets');
      return activeTargets.length === 3 && activeTargets.every((t) => t.health !== 'unknown')
        ? activeTargets
        : undefined;
    });
    const health = Object.fromEntries(targets.map((t) => [t.labels.job, t.health]));
    expect(health).toEqual({ api: 'up', worker: 'up', 'api-wrong-token': 'down' });
    expect(targets.find((t) => t.labels.job === 'api-wrong-token')?.lastError).toContain('403');
    // The rules are loaded and evaluated, and none of them fires for a healthy, idle stack.
    const groups = await query<{
      groups: Array<{ rules: Array<{ name: string; health: string }> }>;
    }>('/api/v1/rules');
    const rules = groups.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name)).toEqual(
      expect.arrayContaining(alertingRules().map((r) => r.alert)),
    );
    expect(rules.filter((r) => r.health === 'err')).toEqual([]);
    expect((await alerts()).filter((a) => a.state === 'firing')).toEqual([]);
  });

  it('when a webhook event goes dead, then WebhookEventsDead fires', async () => {
    // The counter must have been seen at 0 first: the alert is an increase.
    await until('events_dead_total scraped at 0', async () => {
      const [sample] = await instant('events_dead_total{job="worker"}');
      return sample?.value[1] === '0' ? true : undefined;
    });
    expect((await alerts()).map((a) => a.labels.alertname)).not.toContain('WebhookEventsDead');

    // A validly signed capture for a gateway order nobody has: retried on the schedule, then dead.
    const eventId = `evt_${randomBytes(7).toString('hex')}`;
    const posted = await postWebhook(
      stack.api.url,
      'platform',
      capturedEvent(`order_${randomBytes(7).toString('hex')}`, 49_900),
      { secret: stack.config.RAZORPAY_WEBHOOK_SECRET, eventId },
    );
    expect(posted.status).toBe(200);

    const alert = await until(
      'WebhookEventsDead firing',
      async () =>
        (await alerts()).find(
          (a) => a.labels.alertname === 'WebhookEventsDead' && a.state === 'firing',
        ),
      60_000,
    );
    expect(alert.labels.severity).toBe('critical');
    expect(alert.annotations.runbook_url).toBe('docs/operations.md#webhookeventsdead');
    // One event: increase() over a young series extrapolates it to 1–2 ("about 1" or "about 2").
    expect(alert.annotations.description).toMatch(/went dead .*: about [12] by Prometheus/);
    const event = await webhookEventModel(stack.api.deps.mongo).findById(eventId).lean().exec();
    expect(event?.status).toBe('dead');
  });

  it('when reading the rules and the dashboard, then every metric they name is one the API or the worker exports', async () => {
    const exported = new Set([
      ...exportedSeriesNames(await scrape(stack.api.url, { token: TOKEN })),
      ...exportedSeriesNames(await scrape(stack.worker.url, { token: TOKEN })),
      ...PROMETHEUS_SERIES,
    ]);
    const recordings = new Map(recordingRules().map((r) => [r.record, r.expr]));
    const uses = [
      ...recordingRules().map((r) => ({ where: `recording rule ${r.record}`, expr: r.expr })),
      ...alertingRules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
      ...dashboards().flatMap(({ file, dashboard }) =>
        dashboardQueries(dashboard).map((q) => ({ where: `${file}: ${q.panel}`, expr: q.expr })),
      ),
    ];
    const unknown = uses.flatMap(({ where, expr }) =>
      sourceMetricsOf(expr, recordings)
        .filter((name) => !exported.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
