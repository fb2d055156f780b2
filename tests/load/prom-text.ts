// A minimal reader of the Prometheus text exposition format: enough to sum counters and read
// gauges from /metrics, without a dependency.

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
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) {
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_s, c: string) =>
        c === 'n' ? '\n' : c,
      );
    }
    const v = m[3] as string;
    const value = v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
    out.push({ name: m[1] as string, labels, value });
  }
  return out;
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

/** Whether any sample named `name` exists. */
export function has(samples: readonly Sample[], name: string): boolean {
  return samples.some((s) => s.name === name);
}
