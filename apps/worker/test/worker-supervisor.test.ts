import { EventEmitter, once } from 'node:events';
import { Queue, Worker, type Processor } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { uniqueName } from '@storefront/devstack/test-harness';
import {
  createLogger,
  createMetricsRegistry,
  createQueueRedis,
  type MetricsRegistry,
} from '@storefront/shared';
import { metricValue } from '@storefront/test-support';
import { superviseWorker, type SupervisedWorker } from '../src/worker-supervisor.ts';

// The supervisor against real BullMQ workers on a real redis-server. A worker that "stopped
// taking jobs" is one whose fetch loop never runs (`autorun: false`): connected, no error, and
// nothing taken, as the reconciliation workers were after a Redis Cluster failover.

const CHECK_MS = 100;
// Longer than a new worker takes to start on a loaded machine, or a replacement is replaced too.
const STUCK_MS = 1_000;
const logger = createLogger({ level: 'silent', service: 'test' });
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

function setup() {
  const connection = createQueueRedis(inject('redisUrl'), logger);
  closers.push(() => connection.quit());
  const prefix = `{${uniqueName('sup')}}`;
  const queue = new Queue('work', { connection, prefix });
  closers.push(() => queue.close());
  const metrics = createMetricsRegistry();
  const checks = new EventEmitter();
  let checked = 0;
  // Jobs completed by any worker the supervisor made (a replacement's too).
  const completions = new EventEmitter();
  const supervise = (
    create: (n: number) => Worker,
  ): { supervised: SupervisedWorker; created: Worker[] } => {
    const created: Worker[] = [];
    const supervised = superviseWorker({
      queue,
      create: () => {
        const w = create(created.length);
        w.on('completed', (job) => completions.emit('completed', job.id));
        created.push(w);
        return w;
      },
      checkEveryMs: CHECK_MS,
      stuckAfterMs: STUCK_MS,
      logger,
      metrics,
      onChecked: () => {
        checked += 1;
        checks.emit('checked', checked);
      },
    });
    closers.push(async () => {
      await supervised.close();
      await Promise.all(created.map((w) => w.close(true)));
    });
    return { supervised, created };
  };
  /** Resolves once `n` more checks have run. */
  const moreChecks = async (n: number): Promise<void> => {
    const target = checked + n;
    while (checked < target) await once(checks, 'checked');
  };
  const worker = (processor: Processor, opts: { autorun?: boolean; concurrency?: number } = {}) =>
    new Worker('work', processor, { connection, prefix, ...opts });
  /** Resolves when a supervised worker completes job `id`. */
  const completed = async (id: string | undefined): Promise<void> => {
    for (;;) {
      const [done] = (await once(completions, 'completed')) as [string];
      if (done === id) return;
    }
  };
  return { connection, prefix, queue, metrics, supervise, moreChecks, worker, completed };
}

const replacedCount = async (metrics: MetricsRegistry) =>
  metricValue(await metrics.metrics(), 'queue_worker_replaced_total', { queue: 'work' });

describe('superviseWorker', () => {
  it('when its worker stops taking jobs while one waits, then a new worker replaces it and runs the job', async () => {
    const { queue, metrics, supervise, worker, completed } = setup();
    const done: string[] = [];
    const { supervised, created } = supervise((n) =>
      // The first worker never fetches; its replacements are normal ones.
      worker((job) => Promise.resolve(void done.push(String(job.id))), { autorun: n > 0 }),
    );
    const first = supervised.current();
    expect(await replacedCount(metrics)).toBe(0);
    const started: Worker[] = [];
    supervised.onStart((w) => started.push(w));

    const job = await queue.add('job', {});
    await completed(job.id);

    expect(done).toEqual([job.id]);
    expect(supervised.current()).not.toBe(first);
    // One replacement, or more where a loaded machine started the new worker slower than STUCK_MS.
    expect(await replacedCount(metrics)).toBeGreaterThanOrEqual(1);
    expect(created.length).toBe((await replacedCount(metrics)) + 1);
    expect(started).toEqual(created);
    await first.closing; // the replaced worker is closed
    expect(first.isRunning()).toBe(false);
  });

  it('when its worker is busy with a long job, then the jobs waiting behind it do not replace it', async () => {
    const { queue, metrics, supervise, moreChecks, worker } = setup();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { supervised } = supervise(() => worker(() => held, { concurrency: 1 }));
    const taken = once(supervised.current(), 'active');
    await queue.add('long', {});
    await taken;
    await queue.add('behind', {});

    await moreChecks(Math.ceil((2 * STUCK_MS) / CHECK_MS));
    expect(await replacedCount(metrics)).toBe(0);
    release();
    await once(supervised.current(), 'drained');
  });

  it('when another process holds the queue’s global concurrency, then a job waiting for it counts against the worker only from when it could be taken', async () => {
    const { queue, metrics, supervise, moreChecks, worker, completed } = setup();
    await queue.setGlobalConcurrency(1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // "Another process": a plain worker that takes the first job and holds it.
    const other = worker(() => held);
    closers.push(() => other.close(true));
    const taken = once(other, 'active');
    await queue.add('long', {});
    await taken;
    await other.pause(true); // it takes nothing else
    // This process's worker has stopped (never fetches), so only the supervisor can get the next
    // job taken, and the test decides when the job could be taken.
    supervise((n) => worker(() => Promise.resolve(), { autorun: n > 0 }));
    const next = await queue.add('next', {});

    await moreChecks(Math.ceil((2 * STUCK_MS) / CHECK_MS));
    expect(await replacedCount(metrics)).toBe(0);
    expect(await queue.getWaitingCount()).toBe(1);

    const longDone = once(other, 'completed');
    release();
    await longDone;
    // Takeable from now: the time it waited for the concurrency does not count, so the first
    // look after it finds a new wait, not one STUCK_MS old.
    await moreChecks(1);
    expect(await replacedCount(metrics)).toBe(0);
    await completed(next.id); // after a whole STUCK_MS, a replacement takes it
    expect(await replacedCount(metrics)).toBeGreaterThanOrEqual(1);
  });

  it('when a job it took is no longer active in Redis and never reports its end, then it stops counting as in progress', async () => {
    const { connection, prefix, queue, metrics, supervise, moreChecks, worker, completed } =
      setup();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first worker takes one job and hangs in it; its replacements run jobs normally.
    const { supervised } = supervise((n) =>
      worker(() => (n === 0 ? held : Promise.resolve()), { concurrency: 1 }),
    );
    closers.push(() => Promise.resolve(release())); // before the workers close, even on failure
    const taken = once(supervised.current(), 'active');
    const lost = await queue.add('lost', {});
    await taken;
    const next = await queue.add('next', {});
    await moreChecks(Math.ceil((2 * STUCK_MS) / CHECK_MS));
    expect(await replacedCount(metrics)).toBe(0); // busy with a job Redis holds active

    // The job leaves the active list without its worker hearing of it, as a lost lock does.
    expect(await connection.lrem(`${prefix}:work:active`, 0, lost.id as string)).toBe(1);
    await completed(next.id);
    expect(await replacedCount(metrics)).toBeGreaterThanOrEqual(1);
  });

  it('when the queue is paused while a job is watched, then the wait counts again from the resume', async () => {
    const { queue, metrics, supervise, moreChecks, worker, completed } = setup();
    supervise((n) => worker(() => Promise.resolve(), { autorun: n > 0 }));
    const job = await queue.add('job', {});
    await moreChecks(8); // watched for 800 ms at least
    await queue.pause();
    await moreChecks(5); // 1.3 s since it was first seen waiting: more than STUCK_MS
    await queue.resume();

    // The first look after the resume starts a new watch instead of finding a wait of 1.3 s (two
    // checks: one may have begun before the resume).
    await moreChecks(2);
    expect(await replacedCount(metrics)).toBe(0);
    await completed(job.id); // a whole STUCK_MS later, a replacement takes it
    expect(await replacedCount(metrics)).toBeGreaterThanOrEqual(1);
  });

  it('when the queue is paused, then its waiting jobs do not replace the worker', async () => {
    const { queue, metrics, supervise, moreChecks, worker, completed } = setup();
    supervise(() => worker(() => Promise.resolve()));
    await queue.pause();
    const job = await queue.add('job', {});

    await moreChecks(Math.ceil((2 * STUCK_MS) / CHECK_MS));
    expect(await replacedCount(metrics)).toBe(0);
    const done = completed(job.id);
    await queue.resume();
    await done;
  });
});
