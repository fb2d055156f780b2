import type { JobsOptions, Queue } from 'bullmq';
import { DELIVERY_JOB_OPTIONS, WEBHOOK_JOB_OPTIONS } from '../queues/producers.ts';
import {
  deliveryJobId,
  webhookJobId,
  type DeliveryJobData,
  type WebhookJobData,
} from '../queues/queue-names.ts';

/** What `ensureJob` did; `not_needed`: the job had finished and `stillNeeded` said no. */
export type RequeueResult = 'enqueued' | 'already_queued' | 'promoted' | 'not_needed';

/** Options of `ensureJob`. */
export interface EnsureJobOptions {
  delayMs?: number;
  /** Run a delayed job now. */
  promote?: boolean;
  /**
   * Asked before replacing a finished job: a caller that decided from data read earlier (the
   * sweeper) re-checks that the work is still unfinished, since the job may have just completed.
   */
  stillNeeded?: () => Promise<boolean>;
}

const LIVE_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/**
 * Makes sure a job with id `jobId` is live (waiting, delayed or active). BullMQ deduplicates by
 * job id and keeps finished jobs for a while, so a finished (completed/failed) job with that id
 * would make a plain `add` a silent no-op: it is removed first. A live job is left alone, or
 * promoted to run now when `promote` is set. Safe to race: concurrent adds of one id make one job.
 */
export async function ensureJob<T>(
  queue: Queue<T>,
  job: { name: string; data: T; jobId: string; opts: JobsOptions },
  opts: EnsureJobOptions = {},
): Promise<RequeueResult> {
  const existing = await queue.getJob(job.jobId);
  if (existing) {
    const state = await existing.getState();
    if (LIVE_STATES.has(state)) {
      if (opts.promote && state === 'delayed') {
        // It may have become due between getState and promote; then it is waiting anyway.
        const promoted = await existing.promote().then(
          () => true,
          () => false,
        );
        return promoted ? 'promoted' : 'already_queued';
      }
      return 'already_queued';
    }
    if (opts.stillNeeded && !(await opts.stillNeeded())) return 'not_needed';
    await existing.remove();
  }
  const delay = Math.max(0, Math.round(opts.delayMs ?? 0));
  // The queue's generic name type is too narrow to accept a runtime string here.
  await (queue as Queue).add(job.name, job.data, {
    ...job.opts,
    jobId: job.jobId,
    ...(delay > 0 ? { delay } : {}),
  });
  return 'enqueued';
}

/** Makes sure inbox event `eventId` has a live `webhooks` job (see ensureJob). */
export function ensureWebhookJob(
  queue: Queue<WebhookJobData>,
  eventId: string,
  opts: EnsureJobOptions = {},
): Promise<RequeueResult> {
  return ensureJob(
    queue,
    { name: 'webhook', data: { eventId }, jobId: webhookJobId(eventId), opts: WEBHOOK_JOB_OPTIONS },
    opts,
  );
}

/** Makes sure paid order `orderId` has a live `deliveries` job (see ensureJob). */
export function ensureDeliveryJob(
  queue: Queue<DeliveryJobData>,
  orderId: string,
  opts: EnsureJobOptions = {},
): Promise<RequeueResult> {
  return ensureJob(
    queue,
    {
      name: 'delivery',
      data: { orderId },
      jobId: deliveryJobId(orderId),
      opts: DELIVERY_JOB_OPTIONS,
    },
    opts,
  );
}
