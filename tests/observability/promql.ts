// Which metrics a PromQL expression reads: enough of PromQL's grammar to tell metric names from
// functions, keywords, label names, durations and numbers, for the expressions we ship (rules and
// the Grafana dashboard). Not a parser: Prometheus itself validates the expressions.

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'Inf',
  'NaN',
]);

/** Grafana's interval variables, replaced by a duration before reading an expression. */
const GRAFANA_VARIABLES = /\$__(rate_interval|interval|range)\b/g;

/** The metric (and recording-rule) names an expression selects, in order of first appearance. */
export function metricNamesIn(expr: string): string[] {
  const s = expr
    .replace(GRAFANA_VARIABLES, '5m')
    // strings first: they may hold braces, brackets and anything else
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    // label matchers, grouping label lists, range and subquery brackets
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names: string[] = [];
  // A number or duration (5m, 0.95, 1e3) is consumed whole so its letters are not taken for names.
  for (const m of s.matchAll(/\d[\w.]*|([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (name === undefined || call !== undefined || KEYWORDS.has(name)) continue;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Recording rules are named level:metric:operations; plain metrics have no colon. */
export function isRecordingRuleName(name: string): boolean {
  return name.includes(':');
}

/**
 * The metrics `expr` reads once recording rules are replaced by what they are computed from
 * (`recordings`: record name → expression). Throws on a name that looks like a recording rule
 * but is not one of them.
 */
export function sourceMetricsOf(expr: string, recordings: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  const visit = (e: string, seen: string[]) => {
    for (const name of metricNamesIn(e)) {
      if (!isRecordingRuleName(name)) {
        out.add(name);
        continue;
      }
      const def = recordings.get(name);
      if (def === undefined) throw new Error(`${name} is not a recording rule`);
      if (seen.includes(name))
        throw new Error(`recording rules loop: ${[...seen, name].join(' → ')}`);
      visit(def, [...seen, name]);
    }
  };
  visit(expr, []);
  return [...out];
}
