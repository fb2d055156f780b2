import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PRODUCTION_REQUIRED } from '../src/config/env.schema.ts';

// There is no Docker engine here, so the compose file is checked by reading it.
interface Service {
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown };
  command?: string[];
  restart?: string;
  profiles?: string[];
  volumes?: string[];
  secrets?: string[];
  ports?: string[];
}
const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const compose = parse(read('docker-compose.yml'), {
  merge: true,
}) as { services: Record<string, Service>; secrets?: Record<string, { environment?: string }> };
const OBSERVABILITY = ['prometheus', 'alertmanager', 'grafana'];

/** The container path `service` mounts the repository directory `dir` at. */
function mountOf(service: string, dir: string): string | undefined {
  const volume = compose.services[service]?.volumes?.find((v) => v.split(':')[0] === `./${dir}`);
  return volume?.split(':')[1];
}

describe('docker-compose.yml', () => {
  it.each(['api', 'worker'])(
    'when reading %s, then every variable production requires is supplied',
    (name) => {
      const env = compose.services[name]?.environment ?? {};
      expect(env.NODE_ENV).toBe('production');
      const missing = PRODUCTION_REQUIRED.filter((v) => !(v in env));
      expect(missing).toEqual([]);
    },
  );

  it('when reading every service, then each has a healthcheck', () => {
    const without = Object.entries(compose.services)
      .filter(([, s]) => !s.healthcheck?.test)
      .map(([n]) => n);
    expect(without).toEqual([]);
  });

  it('when reading redis, then it keeps an AOF and never evicts keys', () => {
    const cmd = (compose.services.redis?.command ?? []).join(' ');
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--maxmemory-policy noeviction');
  });

  it('when reading api and worker, then each runs its own entry point', () => {
    expect(compose.services.api?.command?.join(' ')).toContain('apps/api/src/main.ts');
    expect(compose.services.worker?.command?.join(' ')).toContain('apps/worker/src/main.ts');
  });
});

describe('docker-compose.yml observability profile', () => {
  const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
    rule_files: string[];
    alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    scrape_configs: Array<{
      job_name: string;
      authorization?: { credentials_file?: string };
      static_configs: Array<{ targets: string[] }>;
    }>;
  };

  it('when reading the services, then Prometheus, Alertmanager and Grafana run only with the observability profile, and the rest without a profile', () => {
    for (const name of OBSERVABILITY) {
      expect(compose.services[name]?.profiles, name).toEqual(['observability']);
      // No authentication on Prometheus and Alertmanager: reachable from this host only.
      for (const port of compose.services[name]?.ports ?? [])
        expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
    const others = Object.entries(compose.services).filter(([n]) => !OBSERVABILITY.includes(n));
    expect(others.filter(([, s]) => s.profiles).map(([n]) => n)).toEqual([]);
  });

  it('when reading Prometheus, then it loads deploy/prometheus and scrapes api and worker with the METRICS_TOKEN secret', () => {
    const etc = mountOf('prometheus', 'deploy/prometheus');
    expect(etc).toBe('/etc/prometheus');
    expect(compose.services.prometheus?.command).toContain(`--config.file=${etc}/prometheus.yml`);
    expect(compose.services.prometheus?.secrets).toContain('metrics_token');
    expect(compose.secrets?.metrics_token).toEqual({ environment: 'METRICS_TOKEN' });
    for (const app of ['api', 'worker']) {
      expect(compose.services[app]?.environment?.METRICS_TOKEN, app).toMatch(/METRICS_TOKEN/);
    }
    const ports: Record<string, string | undefined> = {
      api: compose.services.api?.environment?.API_PORT,
      worker: compose.services.worker?.environment?.WORKER_HEALTH_PORT,
    };
    expect(prometheus.scrape_configs.map((j) => j.job_name).sort()).toEqual(['api', 'worker']);
    for (const job of prometheus.scrape_configs) {
      expect(job.static_configs.flatMap((c) => c.targets)).toEqual([
        `${job.job_name}:${ports[job.job_name]}`,
      ]);
      expect(job.authorization?.credentials_file).toBe('/run/secrets/metrics_token');
    }
    expect(prometheus.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual([
      'alertmanager:9093',
    ]);
  });

  it('when reading Alertmanager, then it loads deploy/alertmanager and routes to a receiver it defines', () => {
    const etc = mountOf('alertmanager', 'deploy/alertmanager');
    expect(compose.services.alertmanager?.command).toContain(
      `--config.file=${etc}/alertmanager.yml`,
    );
    const config = parse(read('deploy/alertmanager/alertmanager.yml')) as {
      route: { receiver: string; routes?: Array<{ receiver: string }> };
      receivers: Array<{ name: string }>;
    };
    const names = config.receivers.map((r) => r.name);
    for (const r of [config.route, ...(config.route.routes ?? [])])
      expect(names).toContain(r.receiver);
  });

  it('when reading Grafana, then it is provisioned from deploy/grafana and its dashboards are where the provider looks', () => {
    expect(mountOf('grafana', 'deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const provider = parse(read('deploy/grafana/provisioning/dashboards/dashboards.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const dashboards = mountOf('grafana', 'deploy/grafana/dashboards');
    expect(provider.providers.map((p) => p.options.path)).toEqual([dashboards]);
    const home = compose.services.grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(home?.startsWith(`${dashboards}/`)).toBe(true);
    expect(
      read(`deploy/grafana/dashboards/${home?.slice((dashboards?.length ?? 0) + 1)}`),
    ).toBeTruthy();
  });
});
