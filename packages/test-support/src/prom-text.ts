// The one reader of Prometheus metrics in tests, benches and the load suite: a minimal parser of
// the text exposition format (enough to sum counters and read gauges, without a dependency) and
// the reads built on it. A process's registry renders the same text (`registry.metrics()`), so
// in-process tests read it the same way as /metrics over HTTP.

/** One sample: metric name, labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses exposition text into samples (comments and blank lines skipped). */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const v = m[3] as string;
    const value = v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
    out.push({ name: m[1] as string, labels: parseLabels(m[2] ?? ''), value });
  }
  return out;
}

/** Parses a label list in exposition syntax (`a="x",b="y\\"z"`, without the braces). */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const l of text.matchAll(LABEL)) {
    labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_s, c: string) =>
      c === 'n' ? '\n' : c,
    );
  }
  return labels;
}

/** Sum of the samples named `name` whose labels match `where` (a value or a predicate per label). */
export function sumOf(
  samples: readonly Sample[],
  name: string,
  where: Record<string, string | ((v: string) => boolean)> = {},
): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    const ok = Object.entries(where).every(([k, want]) => {
      const have = s.labels[k];
      return have !== undefined && (typeof want === 'string' ? have === want : want(have));
    });
    if (ok) total += s.value;
  }
  return total;
}

/** The samples named `name` summed per value of `label` (samples without it are left out). */
export function sumsBy(
  samples: readonly Sample[],
  name: string,
  label: string,
): Map<string, number> {
  const sums = new Map<string, number>();
  for (const s of samples) {
    const value = s.name === name ? s.labels[label] : undefined;
    if (!value) continue;
    sums.set(value, (sums.get(value) ?? 0) + s.value);
  }
  return sums;
}

/** Whether any sample named `name` exists. */
export function has(samples: readonly Sample[], name: string): boolean {
  return samples.some((s) => s.name === name);
}

/** Label values to match: an object, or exposition syntax (`status="429",queue="webhooks"`). */
export type LabelMatch = Record<string, string> | string;

/**
 * Sum of the samples of `name` in exposition `text` whose labels include `labels` (0 when there
 * are none): one sample's value when the labels pick one out.
 */
export function metricValue(text: string, name: string, labels: LabelMatch = {}): number {
  return sumOf(
    parsePrometheusText(text),
    name,
    typeof labels === 'string' ? parseLabels(labels) : labels,
  );
}

/** Sum of every sample of metric `name` in a Prometheus text. */
export function metricTotal(text: string, name: string): number {
  return sumOf(parsePrometheusText(text), name);
}

/** `label=value …` for one metric's samples in a Prometheus text, summed per `label`. */
export function summarizeMetric(text: string, name: string, label: string): string {
  const sums = sumsBy(parsePrometheusText(text), name, label);
  return [...sums].map(([k, v]) => `${k}=${v}`).join(' ') || '(none)';
}

/** A process's /metrics text over HTTP (with `token` as METRICS_TOKEN); throws unless 200. */
export async function scrape(baseUrl: string, opts: { token?: string } = {}): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, {
    headers: opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` },
  });
  if (res.status !== 200) throw new Error(`${baseUrl}/metrics answered ${res.status}`);
  return res.text();
}

/**
 * Names of the series a Prometheus text exposition yields, as Prometheus will store them: every
 * sample's name, plus what `# TYPE` lines declare before a first sample exists (a labelled
 * counter nobody has incremented yet), with the series names histograms and summaries expand to.
 */
export function exportedSeriesNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][\w:]*) (\w+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
      else if (kind === 'summary') for (const s of ['', '_sum', '_count']) names.add(name + s);
      else names.add(name);
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1] as string);
  }
  return names;
}
