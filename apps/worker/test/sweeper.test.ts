import { afterEach, describe, expect, it } from 'vitest';
import { testConfig, uniqueName } from '@storefront/devstack/test-harness';
import {
  createLogger,
  createMongoConnection,
  createProducers,
  createQueueRedis,
  createRepositories,
  enqueueWebhook,
  ensureIndexes,
  webhookEventModel,
  redisTargetFromConfig,
} from '@storefront/shared';
import { SWEEP_PAGE, SweeperService } from '../src/sweeper/sweeper.service.ts';

// The sweeper's scan on its own (no worker consumes the queue, so what it queues stays waiting).

const logger = createLogger({ level: 'silent', service: 'test' });
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const config = testConfig({}, uniqueName('sweep'));
  const mongo = await createMongoConnection({ url: config.MONGO_URL, poolSize: 4, logger });
  await ensureIndexes(mongo);
  const redis = createQueueRedis(redisTargetFromConfig(config), logger);
  const producers = createProducers(redis, config.QUEUE_PREFIX);
  cleanups.push(
    () => mongo.close(),
    () => redis.quit(),
    () => producers.close(),
  );
  const repos = createRepositories(mongo);
  const sweeper = new SweeperService({
    events: repos.webhookEvents,
    dlq: repos.dlq,
    orders: repos.orders,
    webhooks: producers.webhooks,
    deliveries: producers.deliveries,
    logger,
    minAgeMs: 1_000,
    onRequeued: () => undefined,
    onUnqueueable: () => Promise.resolve(),
    queueAnswers: () => Promise.resolve(true),
  });
  const receivedAt = new Date(Date.now() - 60_000);
  const ids = Array.from(
    { length: 2 * SWEEP_PAGE + 50 },
    (_, i) => `evt_${String(i).padStart(5, '0')}`,
  );
  await webhookEventModel(mongo).insertMany(
    ids.map((id) => ({
      _id: id,
      account: 'platform',
      event: 'payment.captured',
      payload: {},
      status: 'received',
      attempts: 0,
      receivedAt,
    })),
  );
  return { producers, sweeper, ids };
}

describe('sweeper scan', () => {
  it('when Redis lost every job, then one sweep re-queues every unfinished event, page after page', async () => {
    const { producers, sweeper, ids } = await setup();
    const report = await sweeper.sweep();
    expect(report.inbox).toBe(ids.length);
    expect(await producers.webhooks.getWaitingCount()).toBe(ids.length);
    // A second sweep finds everything queued.
    expect((await sweeper.sweep()).inbox).toBe(0);
  });

  it('when the oldest events are queued (a backlog), then the sweep stops after the first page', async () => {
    const { producers, sweeper, ids } = await setup();
    for (const id of ids.slice(0, SWEEP_PAGE)) await enqueueWebhook(producers.webhooks, id);
    expect((await sweeper.sweep()).inbox).toBe(0);
    expect(await producers.webhooks.getWaitingCount()).toBe(SWEEP_PAGE);
  });
});
