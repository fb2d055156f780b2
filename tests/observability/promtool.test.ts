import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  PROMETHEUS_DIR,
  ROOT,
  alertingRules,
  ruleFiles,
  ruleTestFiles,
} from './prometheus-rules.ts';

// The alerting rules' unit tests (deploy/prometheus/tests, `promtool test rules`) and what every
// alert must carry. promtool comes from the OS package (`make prometheus`).

const run = promisify(execFile);

interface RuleTestFile {
  rule_files: string[];
  tests: Array<{
    alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] | null }>;
  }>;
}

/** GitHub's anchor for a Markdown heading. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe('Prometheus alerting rules', () => {
  it('when promtool runs the rule unit tests, then every test passes', async () => {
    const files = ruleTestFiles().map((f) => relative(PROMETHEUS_DIR, f));
    expect(files.length).toBeGreaterThan(0);
    const result = await run('promtool', ['test', 'rules', ...files], {
      cwd: PROMETHEUS_DIR,
    }).then(
      ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
      (err: { stdout?: string; stderr?: string; message: string }) => ({
        ok: false,
        output: `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message,
      }),
    );
    // On failure the assertion shows what promtool printed (expected and actual alerts).
    expect(result.ok ? 'passed' : result.output).toBe('passed');
    expect(result.output.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  it('when reading the unit tests, then every alert is tested firing and staying silent', () => {
    const cases = ruleTestFiles().flatMap((file) => {
      const doc = parse(readFileSync(file, 'utf8')) as RuleTestFile;
      // Each file tests the rules as shipped: all of them, from the rules directory.
      expect(doc.rule_files.map((f) => basename(f)).sort(), file).toEqual(
        ruleFiles()
          .map((f) => basename(f))
          .sort(),
      );
      return doc.tests.flatMap((t) => t.alert_rule_test ?? []);
    });
    const untested = alertingRules()
      .map((r) => r.alert)
      .flatMap((name) => {
        const mine = cases.filter((c) => c.alertname === name);
        const missing: string[] = [];
        if (!mine.some((c) => (c.exp_alerts ?? []).length > 0)) missing.push(`${name}: firing`);
        if (!mine.some((c) => (c.exp_alerts ?? []).length === 0)) missing.push(`${name}: silent`);
        return missing;
      });
    expect(untested).toEqual([]);
  });

  it('when reading every alert, then it has a severity, a summary, a description and a runbook in docs/operations.md', () => {
    const operations = readFileSync(`${ROOT}/docs/operations.md`, 'utf8');
    const anchors = new Set(
      [...operations.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] as string)),
    );
    const alerts = alertingRules();
    expect(alerts.length).toBeGreaterThan(0);
    const problems = alerts.flatMap((rule) => {
      const out: string[] = [];
      if (!['critical', 'warning'].includes(rule.labels?.severity ?? ''))
        out.push(`${rule.alert}: severity`);
      for (const key of ['summary', 'description'])
        if (!rule.annotations?.[key]?.trim()) out.push(`${rule.alert}: ${key}`);
      const runbook = /^docs\/operations\.md#(.+)$/.exec(rule.annotations?.runbook_url ?? '');
      if (!runbook) out.push(`${rule.alert}: runbook_url is not docs/operations.md#…`);
      else if (!anchors.has(runbook[1] as string))
        out.push(`${rule.alert}: no heading for #${runbook[1]} in docs/operations.md`);
      return out;
    });
    expect(problems).toEqual([]);
  });

  it('when listing alert names, then each is unique', () => {
    const names = alertingRules().map((r) => r.alert);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
