import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './prometheus-rules.ts';

// The shipped Grafana files (deploy/grafana): provisioning and dashboards. Grafana itself cannot
// run here; tests read the files.

export const GRAFANA_DIR = join(ROOT, 'deploy/grafana');

export interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
export interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  gridPos?: { h: number; w: number; x: number; y: number };
  panels?: Panel[];
}
export interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels: Panel[];
}

/** Each dashboard JSON file with its parsed content. */
export function dashboards(): Array<{ file: string; dashboard: Dashboard }> {
  const dir = join(GRAFANA_DIR, 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      file: f,
      dashboard: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard,
    }));
}

/** Every panel, rows' nested panels included. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every PromQL expression of a dashboard, with the title of its panel. */
export function dashboardQueries(d: Dashboard): Array<{ panel: string; expr: string }> {
  return allPanels(d).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title ?? `#${p.id}`, expr: t.expr ?? '' })),
  );
}

export interface ProvisionedDatasource {
  name: string;
  uid?: string;
  type: string;
  url?: string;
}

/** The data sources Grafana is provisioned with. */
export function provisionedDatasources(): ProvisionedDatasource[] {
  const dir = join(GRAFANA_DIR, 'provisioning/datasources');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .flatMap(
      (f) =>
        (parse(readFileSync(join(dir, f), 'utf8')) as { datasources: ProvisionedDatasource[] })
          .datasources,
    );
}

/** The dashboard providers Grafana is provisioned with. */
export function dashboardProviders(): Array<{
  name: string;
  type: string;
  options: { path: string };
}> {
  const dir = join(GRAFANA_DIR, 'provisioning/dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .flatMap(
      (f) =>
        (
          parse(readFileSync(join(dir, f), 'utf8')) as {
            providers: Array<{ name: string; type: string; options: { path: string } }>;
          }
        ).providers,
    );
}
