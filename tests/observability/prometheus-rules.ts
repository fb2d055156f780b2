import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// The shipped Prometheus files (deploy/prometheus), read the way the tests need them.

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PROMETHEUS_DIR = join(ROOT, 'deploy/prometheus');
export const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
export const RULE_TESTS_DIR = join(PROMETHEUS_DIR, 'tests');

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RecordingRule {
  record: string;
  expr: string;
}
type Rule = AlertingRule | RecordingRule;

/** Absolute paths of the rule files Prometheus loads (`rules/*.yml`). */
export function ruleFiles(): string[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(RULES_DIR, f));
}

/** Absolute paths of the `promtool test rules` files. */
export function ruleTestFiles(): string[] {
  return readdirSync(RULE_TESTS_DIR)
    .filter((f) => f.endsWith('.test.yml'))
    .map((f) => join(RULE_TESTS_DIR, f));
}

function rules(): Rule[] {
  return ruleFiles().flatMap((file) => {
    const doc = parse(readFileSync(file, 'utf8')) as { groups: Array<{ rules: Rule[] }> };
    return doc.groups.flatMap((g) => g.rules);
  });
}

/** Every alerting rule of the shipped rule files. */
export function alertingRules(): AlertingRule[] {
  return rules().filter((r): r is AlertingRule => 'alert' in r);
}

/** Every recording rule of the shipped rule files. */
export function recordingRules(): RecordingRule[] {
  return rules().filter((r): r is RecordingRule => 'record' in r);
}
