import { once } from 'node:events';
import { Queue, Worker } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { uniqueName } from '@storefront/devstack/test-harness';
import { createLogger, createMetricsRegistry, createQueueRedis } from '@storefront/shared';
import { countStalledJobs } from '../src/alerts/operator.metrics.ts';

// A real stall: one worker takes a job and never renews its lock (as a process that died or
// whose event loop is blocked would), another worker's stalled-job check finds it.

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

describe('queue_stalled_jobs_total', () => {
  it('when a job loses its lock while active, then the worker that finds it counts one stall for its queue', async () => {
    const logger = createLogger({ level: 'silent', service: 'test' });
    const connection = createQueueRedis(inject('redisUrl'), logger);
    closers.push(() => connection.quit());
    const prefix = `{${uniqueName('stall')}}`;
    const queue = new Queue('webhooks', { connection, prefix });
    closers.push(() => queue.close());

    const hung = new Worker('webhooks', () => new Promise(() => undefined), {
      connection,
      prefix,
      lockDuration: 300,
      skipLockRenewal: true,
      skipStalledCheck: true,
    });
    closers.push(() => hung.close(true));
    const taken = once(hung, 'active');
    await queue.add('job', {});
    await taken;

    const metrics = createMetricsRegistry();
    const checker = new Worker('webhooks', () => Promise.resolve('done'), {
      connection,
      prefix,
      stalledInterval: 200,
    });
    closers.push(() => checker.close());
    countStalledJobs(metrics, [checker as Worker<unknown>]);
    expect(await metrics.metrics()).toContain('queue_stalled_jobs_total{queue="webhooks"} 0\n');

    const [jobId] = (await once(checker, 'stalled')) as [string];
    await once(checker, 'completed');

    expect(jobId).toBeDefined();
    expect(await metrics.metrics()).toContain('queue_stalled_jobs_total{queue="webhooks"} 1\n');
  });
});
