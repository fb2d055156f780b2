import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { testConfig } from '@storefront/devstack/test-harness';
import {
  createLogger,
  createMongoConnection,
  createRepositories,
  mongoOptionsFromConfig,
} from '../src/index.ts';

// What the processes' MongoDB connection sends, observed on the wire (the driver's command
// monitoring): the money path's writes carry the configured write concern, and reads are sent to
// the primary. Against a real replica set the same commands make majority acknowledgement and
// primary reads happen; the in-repo server (one node) shows they are asked for.

interface Sent {
  name: string;
  command: Record<string, unknown>;
}

async function connect(
  overrides: Record<string, string> = {},
): Promise<{ conn: Connection; sent: Sent[] }> {
  const options = mongoOptionsFromConfig(testConfig(overrides));
  const url = `${options.url}${options.url.includes('?') ? '&' : '?'}monitorCommands=true`;
  const conn = await createMongoConnection({
    ...options,
    url,
    poolSize: 2,
    logger: createLogger({ level: 'silent', service: 'test' }),
  });
  const sent: Sent[] = [];
  conn
    .getClient()
    .on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) =>
      sent.push({ name: e.commandName, command: e.command }),
    );
  return { conn, sent };
}

/** Records a webhook in the inbox and moves an order along the state machine, as the money path does. */
async function moneyPathWrites(conn: Connection): Promise<void> {
  const repos = createRepositories(conn);
  await repos.webhookEvents.insert({
    _id: `evt_${Date.now().toString(36)}`,
    account: 'platform',
    event: 'payment.captured',
    payload: {},
  });
  await repos.orders.transition('0123456789abcdef01234567', 'paid');
  await repos.orders.findById('0123456789abcdef01234567');
}

describe('MongoDB settings of the money path', () => {
  let conn: Connection | undefined;
  afterEach(async () => {
    await conn?.dropDatabase();
    await conn?.close();
    conn = undefined;
  });

  it('when nothing is configured, then inbox and order writes ask for majority with a timeout, retry once, and reads go to the primary', async () => {
    const c = await connect();
    conn = c.conn;
    await moneyPathWrites(conn);

    const writes = c.sent.filter((s) => ['insert', 'findAndModify'].includes(s.name));
    expect(writes.map((w) => w.name)).toEqual(['insert', 'findAndModify']);
    for (const w of writes) {
      expect(w.command.writeConcern).toEqual({ w: 'majority', wtimeout: 10_000 });
    }
    const client = conn.getClient();
    expect(client.options.retryWrites).toBe(true);
    expect(client.readPreference.mode).toBe('primary');
    const find = c.sent.find((s) => s.name === 'find');
    expect(find?.command.$readPreference).toBeUndefined();
  });

  it('when the write concern, its timeout and retryable writes are configured, then the commands carry those', async () => {
    const c = await connect({
      MONGO_WRITE_CONCERN: '1',
      MONGO_WRITE_TIMEOUT_MS: '2500',
      MONGO_RETRY_WRITES: 'false',
    });
    conn = c.conn;
    await moneyPathWrites(conn);

    const writes = c.sent.filter((s) => ['insert', 'findAndModify'].includes(s.name));
    expect(writes).toHaveLength(2);
    for (const w of writes) expect(w.command.writeConcern).toEqual({ w: 1, wtimeout: 2500 });
    expect(conn.getClient().options.retryWrites).toBe(false);
  });
});
