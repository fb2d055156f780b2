import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { batched, type BatchOptions } from '../db/batcher.ts';
import {
  QUEUES,
  deliveryJobId,
  orderCheckJobId,
  webhookJobId,
  type DeliveryJobData,
  type OrderCheckJobData,
  type WebhookJobData,
} from './queue-names.ts';

/**
 * Webhook retry schedule after the first attempt: 30 s, 1 min, 5 min, 30 min, 1 h. After the
 * last one the event is dead. Multiplied by WEBHOOK_RETRY_TIME_SCALE (tests run it in seconds).
 */
export const WEBHOOK_RETRY_DELAYS_MS = [30_000, 60_000, 300_000, 1_800_000, 3_600_000] as const;
/** Name of the custom BullMQ backoff strategy the worker implements with WEBHOOK_RETRY_DELAYS_MS. */
export const WEBHOOK_BACKOFF_TYPE = 'webhook-schedule';

const REMOVE = {
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} satisfies JobsOptions;

/** Job options for processing one inbox event. */
export const WEBHOOK_JOB_OPTIONS: JobsOptions = {
  ...REMOVE,
  attempts: WEBHOOK_RETRY_DELAYS_MS.length + 1,
  backoff: { type: WEBHOOK_BACKOFF_TYPE },
};

/** Job options for a delivery: retried quickly; the processor itself is idempotent per order. */
export const DELIVERY_JOB_OPTIONS: JobsOptions = {
  ...REMOVE,
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
};

/**
 * Job options for an order check: a check that could not reach Razorpay is retried (5 s, 10 s,
 * 20 s…); after the last attempt reconciliation still checks the order.
 */
export const ORDER_CHECK_JOB_OPTIONS: JobsOptions = {
  ...REMOVE,
  attempts: 6,
  backoff: { type: 'exponential', delay: 5_000 },
};

/** The producer-side queues, created over one connection (fail-fast for request handlers). */
export interface Producers {
  webhooks: Queue<WebhookJobData>;
  deliveries: Queue<DeliveryJobData>;
  orderChecks: Queue<OrderCheckJobData>;
  close(): Promise<void>;
}

/** Creates the queues the API and worker produce into. */
export function createProducers(connection: ConnectionOptions, prefix: string): Producers {
  const webhooks = new Queue<WebhookJobData>(QUEUES.webhooks, { connection, prefix });
  const deliveries = new Queue<DeliveryJobData>(QUEUES.deliveries, { connection, prefix });
  const orderChecks = new Queue<OrderCheckJobData>(QUEUES.orderChecks, { connection, prefix });
  const queues = [webhooks, deliveries, orderChecks];
  // Errors surface on the awaited add(); the listener only stops them becoming unhandled events.
  for (const queue of queues) queue.on('error', () => undefined);
  return {
    webhooks,
    deliveries,
    orderChecks,
    close: async () => {
      await Promise.allSettled(queues.map((queue) => queue.close()));
    },
  };
}

/**
 * Enqueue functions of one id whose concurrent calls share one round trip to Redis (`batch`, as
 * the process's MongoDB batching).
 */
export function batchedEnqueues(
  producers: Pick<Producers, 'webhooks' | 'deliveries'>,
  batch: BatchOptions,
): { webhook: (eventId: string) => Promise<void>; delivery: (orderId: string) => Promise<void> } {
  const done = (ids: readonly string[]) => ids.map(() => undefined);
  return {
    webhook: batched(async (ids: readonly string[]) => {
      await enqueueWebhooks(producers.webhooks, ids);
      return done(ids);
    }, batch),
    delivery: batched(async (ids: readonly string[]) => {
      await enqueueDeliveries(producers.deliveries, ids);
      return done(ids);
    }, batch),
  };
}

/** Enqueues processing of inbox event `eventId` (deduplicated by job id while the job exists). */
export async function enqueueWebhook(queue: Queue<WebhookJobData>, eventId: string): Promise<void> {
  await enqueueWebhooks(queue, [eventId]);
}

/** Enqueues processing of inbox events `eventIds` in one round trip (each deduplicated). */
export async function enqueueWebhooks(
  queue: Queue<WebhookJobData>,
  eventIds: readonly string[],
): Promise<void> {
  await queue.addBulk(
    eventIds.map((eventId) => ({
      name: 'webhook',
      data: { eventId },
      opts: { ...WEBHOOK_JOB_OPTIONS, jobId: webhookJobId(eventId) },
    })),
  );
}

/** Enqueues delivery of `orderId` (deduplicated by job id; the processor is idempotent too). */
export async function enqueueDelivery(
  queue: Queue<DeliveryJobData>,
  orderId: string,
): Promise<void> {
  await enqueueDeliveries(queue, [orderId]);
}

/** Enqueues the deliveries of `orderIds` in one round trip (each deduplicated by job id). */
export async function enqueueDeliveries(
  queue: Queue<DeliveryJobData>,
  orderIds: readonly string[],
): Promise<void> {
  await queue.addBulk(
    orderIds.map((orderId) => ({
      name: 'delivery',
      data: { orderId },
      opts: { ...DELIVERY_JOB_OPTIONS, jobId: deliveryJobId(orderId) },
    })),
  );
}

/**
 * Schedules a check of `check.orderId` in `delayMs` (deduplicated by job id per order and
 * payment while the job is kept).
 */
export async function enqueueOrderCheck(
  queue: Queue<OrderCheckJobData>,
  check: OrderCheckJobData,
  delayMs: number,
): Promise<void> {
  await queue.add('order-check', check, {
    ...ORDER_CHECK_JOB_OPTIONS,
    delay: delayMs,
    jobId: orderCheckJobId(check.orderId, check.paymentId),
  });
}
