// The metric names a /metrics text exports, as Prometheus will store them: every sample's name,
// plus what `# TYPE` lines declare before a first sample exists (a labelled counter nobody has
// incremented yet), with the series names histograms and summaries expand to.

/** Names of the series a Prometheus text exposition yields. */
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

/** Series Prometheus makes itself: per target (`up`) and from alerting rules (`ALERTS`). */
export const PROMETHEUS_SERIES = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);
