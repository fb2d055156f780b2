// What MongoDB ran, from serverStatus `metrics.commands` (mongod and the in-repo server both
// report it): the load test and the webhook bench count the commands of a run with it.

/** Anything that can run an admin command: a mongoose connection's `db`, a driver `Db`. */
export interface AdminCommandRunner {
  admin(): { command(cmd: Record<string, unknown>): Promise<Record<string, unknown>> };
}

/** serverStatus `metrics.commands` as name → total. */
export function commandTotals(status: Record<string, unknown> | undefined): Map<string, number> {
  const commands = (status?.metrics as { commands?: Record<string, { total?: unknown }> })
    ?.commands;
  const totals = new Map<string, number>();
  for (const [name, c] of Object.entries(commands ?? {})) {
    if (c && typeof c === 'object' && 'total' in c) totals.set(name, Number(c.total));
  }
  return totals;
}

/** The server's command totals now (name → total). */
export async function readCommandTotals(db: AdminCommandRunner): Promise<Map<string, number>> {
  return commandTotals(await db.admin().command({ serverStatus: 1 }));
}

/**
 * The commands run between two readings by name, busiest first, without the `left out` ones (the
 * readings' own serverStatus, a harness's polls) and without names that ran none.
 */
export function commandsBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  leftOut: readonly string[] = ['serverStatus'],
): Array<[string, number]> {
  const rows: Array<[string, number]> = [];
  for (const [name, total] of after) {
    const ran = total - (before.get(name) ?? 0);
    if (ran > 0 && !leftOut.includes(name)) rows.push([name, ran]);
  }
  return rows.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
