import { describe, expect, it } from 'vitest';
import { useMongo } from './mongo-test-env.ts';

const env = useMongo('mongo_status');

/** serverStatus `metrics.commands.<name>`, as mongod reports it (numbers or Longs). */
async function commandCounts(name: string): Promise<{ total: number; failed: number }> {
  const status = await env.db.admin().command({ serverStatus: 1 });
  const c = (status.metrics as { commands?: Record<string, { total: unknown; failed: unknown }> })
    .commands?.[name];
  return { total: Number(c?.total ?? 0), failed: Number(c?.failed ?? 0) };
}

describe('serverStatus command counters', () => {
  it('when commands run and one fails, then metrics.commands counts each by name, failures apart', async () => {
    const c = env.db.collection('counted');
    const findsBefore = await commandCounts('find');
    const insertsBefore = await commandCounts('insert');
    await c.insertOne({ _id: 1 } as never);
    await c.insertOne({ _id: 1 } as never).catch(() => undefined); // duplicate key
    await c.findOne({ _id: 1 } as never);
    await c.findOne({ _id: 2 } as never);
    await c.findOne({ _id: 3 } as never);
    const finds = await commandCounts('find');
    const inserts = await commandCounts('insert');
    // Other clients of a shared server may add to the counts, never take from them.
    expect(finds.total - findsBefore.total).toBeGreaterThanOrEqual(3);
    expect(inserts.total - insertsBefore.total).toBeGreaterThanOrEqual(2);
  });

  it('when a command fails, then its failed counter moves', async () => {
    const before = await commandCounts('find');
    // A find with an operator the server does not know fails on every server.
    await env.db
      .collection('counted')
      .findOne({ a: { $noSuchOperator: 1 } } as never)
      .catch(() => undefined);
    expect((await commandCounts('find')).failed - before.failed).toBeGreaterThanOrEqual(1);
  });
});
