import { once } from 'node:events';
import { Queue, Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterTarget, uniqueName } from '@storefront/devstack/test-harness';
import { createLogger, createRedis, type Redis } from '@storefront/shared';
import { pollUntil } from '@storefront/test-support';

// BullMQ on the run's real Redis Cluster: its scripts touch several keys of a queue, which share
// a slot only when the prefix carries a {hash tag} (config refuses QUEUE_PREFIX without one).

const logger = createLogger({ level: 'silent', service: 'test' });
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

async function connections(): Promise<{ producer: Redis; consumer: Redis }> {
  const producer = createRedis(clusterTarget(), 'producer', logger);
  const consumer = createRedis(clusterTarget(), 'queue', logger);
  closers.push(
    () => producer.quit(),
    () => consumer.quit(),
  );
  await Promise.all([once(producer, 'ready'), once(consumer, 'ready')]);
  return { producer, consumer };
}

describe('BullMQ on Redis Cluster', () => {
  it('when the prefix is hash-tagged, then jobs and a job scheduler run', async () => {
    const { producer, consumer } = await connections();
    const prefix = `{${uniqueName('bq')}}`;
    const queue = new Queue('cluster-jobs', { connection: producer, prefix });
    const done: string[] = [];
    const worker = new Worker<{ n?: number }>(
      'cluster-jobs',
      (job) => {
        done.push(job.name === 'tick' ? 'tick' : String(job.data.n));
        return Promise.resolve();
      },
      { connection: consumer, prefix, concurrency: 4 },
    );
    closers.push(
      () => queue.close(),
      () => worker.close(),
    );
    await queue.addBulk(Array.from({ length: 20 }, (_, n) => ({ name: 'job', data: { n } })));
    await queue.upsertJobScheduler('every-100ms', { every: 100 }, { name: 'tick' });
    await pollUntil(
      () => done,
      (d) => d.filter((x) => x === 'tick').length >= 2 && d.length >= 22,
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(
      done
        .filter((x) => x !== 'tick')
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('when the prefix has no hash tag, then the cluster refuses the first job (CROSSSLOT)', async () => {
    const { producer } = await connections();
    const queue = new Queue('cluster-jobs', { connection: producer, prefix: uniqueName('bq') });
    closers.push(() => queue.close());
    await expect(queue.add('job', {})).rejects.toThrow(/CROSSSLOT|same slot/);
  });
});
