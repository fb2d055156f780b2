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
  webhookJobId,
  redisTargetFromConfig,
} from '@storefront/shared';
import { startRedisServer } from '@storefront/devstack';
import { SWEEP_PAGE, SweeperService, UNQUEUEABLE_AFTER } from '../src/sweeper/sweeper.service.ts';

// The sweeper's scan on its own (no worker consumes the queue, so what it queues stays waiting).

const logger = createLogger({ level: 'silent', service: 'test' });
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  opts: {
    redisUrl?: string;
    count?: number;
    onUnqueueable?: (kind: string, id: string) => void;
  } = {},
) {
  const config = testConfig({}, uniqueName('sweep'));
  const mongo = await createMongoConnection({ url: config.MONGO_URL, poolSize: 4, logger });
  await ensureIndexes(mongo);
  const redis = createQueueRedis(opts.redisUrl ?? redisTargetFromConfig(config), logger);
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
    onUnqueueable: (kind, id) => Promise.resolve(opts.onUnqueueable?.(kind, id)),
    queueAnswers: async () => (await redis.ping()) === 'PONG',
  });
  const receivedAt = new Date(Date.now() - 60_000);
  const ids = Array.from(
    { length: opts.count ?? 2 * SWEEP_PAGE + 50 },
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
  return { producers, redis, sweeper, ids };
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

  it("when one event's job cannot be created while Redis answers, then it is given up on after UNQUEUEABLE_AFTER sweeps in a row and the others are queued", async () => {
    const given: string[] = [];
    const { producers, redis, sweeper, ids } = await setup({
      count: 3,
      onUnqueueable: (_kind, id) => given.push(id),
    });
    const broken = ids[1]!;
    // The job's hash key holds a value of the wrong type: BullMQ fails on this job only.
    await redis.set(producers.webhooks.toKey(webhookJobId(broken)), 'not a job hash');
    for (let sweep = 1; sweep < UNQUEUEABLE_AFTER; sweep++) {
      await sweeper.sweep();
      expect(given).toEqual([]);
    }
    expect(await producers.webhooks.getWaitingCount()).toBe(2);
    await sweeper.sweep();
    expect(given).toEqual([broken]);
  });

  it('when Redis refuses writes for a state of its own (out of memory), then the sweep fails and nothing is given up on', async () => {
    const own = await startRedisServer();
    cleanups.push(() => own.stop());
    const given: string[] = [];
    const { redis, sweeper } = await setup({
      redisUrl: own.url,
      count: 3,
      onUnqueueable: (_kind, id) => given.push(id),
    });
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'maxmemory', '1');
    for (let sweep = 0; sweep <= UNQUEUEABLE_AFTER; sweep++) {
      await expect(sweeper.sweep()).rejects.toThrow(/^OOM/);
    }
    expect(given).toEqual([]);
  });
});
