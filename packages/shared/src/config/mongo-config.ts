/** URL options that MONGO_WRITE_CONCERN & co. own: set in MONGO_URL they would compete with them. */
const OWNED_URL_OPTIONS: Record<string, string> = {
  w: 'MONGO_WRITE_CONCERN',
  wtimeoutms: 'MONGO_WRITE_TIMEOUT_MS',
  retrywrites: 'MONGO_RETRY_WRITES',
  journal: 'MONGO_WRITE_CONCERN',
};

/**
 * The MongoDB settings that would weaken the money path, each named: a replica set written to with
 * less than a majority (a failover rolls back acknowledged webhooks and payments), reads from
 * anything but the primary (money decisions and cache fills read what was just written), and
 * write options in MONGO_URL that compete with the variables. Checked on the raw environment.
 */
export function mongoConfigProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const url = env.MONGO_URL;
  if (url === undefined) return problems;
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const options = new URLSearchParams(query);
  const replicaSet = options.has('replicaSet') || url.startsWith('mongodb+srv://');
  for (const [name, value] of options) {
    const owner = OWNED_URL_OPTIONS[name.toLowerCase()];
    if (owner !== undefined) {
      problems.push(`MONGO_URL: set ${owner} instead of the URL option ${name}`);
    }
    if (name.toLowerCase() === 'readpreference' && value !== 'primary') {
      problems.push(
        `MONGO_URL: readPreference=${value}: reads that decide money and cache fills must read the primary`,
      );
    }
  }
  if (replicaSet && env.MONGO_WRITE_CONCERN === '1') {
    problems.push(
      'MONGO_WRITE_CONCERN: 1 with a replica set lets a failover roll back acknowledged webhooks and payments; use majority',
    );
  }
  return problems;
}
