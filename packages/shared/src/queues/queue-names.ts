// Queue names and job payloads shared by the API (producer) and the worker (consumer).
// Renaming a queue strands every job already queued under the old name: add a new name and
// drain the old one instead.

/** Every BullMQ queue the system uses. */
export const QUEUES = {
  /** One job per inbox event (`webhook_events`), processed by the worker. */
  webhooks: 'webhooks',
  /** One job per paid order: makes the product file available to the buyer. */
  deliveries: 'deliveries',
  /** Repeating reconciliation runs against Razorpay's Payment API. */
  reconciliation: 'reconciliation',
  /**
   * One delayed check per Checkout callback the API deferred (a busy API): the worker asks
   * Razorpay about that order unless a webhook has settled it by then.
   */
  orderChecks: 'order-checks',
  /** Repeating maintenance: the inbox/DLQ sweeper. */
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Payload of a `webhooks` job: only the inbox id; the event body stays in MongoDB. */
export interface WebhookJobData {
  eventId: string;
}

/** Payload of a `deliveries` job. */
export interface DeliveryJobData {
  orderId: string;
}

/** Payload of an `order-checks` job: the order, and the payment its callback named. */
export interface OrderCheckJobData {
  orderId: string;
  paymentId: string;
}

/** Payload of a `reconciliation` run. */
export type ReconciliationJobData = Record<string, never>;

// Job ids are how BullMQ deduplicates: one job per webhook event, one delivery per order.
// BullMQ rejects custom ids containing ':' (and all-digit ids), hence the '-' and the prefixes.

/**
 * Job id for processing the inbox event `eventId`. The id comes from Razorpay's header, so it is
 * percent-encoded (`:` → `%3A`): any accepted id gives a distinct id BullMQ takes. Ids of
 * Razorpay's own shape (`evt_…`) are unchanged by the encoding, so jobs already queued keep
 * their ids.
 */
export const webhookJobId = (eventId: string): string => `webhook-${encodeURIComponent(eventId)}`;
/** Job id for delivering order `orderId` (at most one delivery job per order). */
export const deliveryJobId = (orderId: string): string => `delivery-${orderId}`;
/**
 * Job id for checking order `orderId` after a deferred callback for payment `paymentId`: repeats
 * of one callback share a check; a callback for another payment of the order gets its own.
 */
export const orderCheckJobId = (orderId: string, paymentId: string): string =>
  `order-check-${orderId}-${encodeURIComponent(paymentId)}`;
/** Scheduler ids for repeating jobs. */
export const SCHEDULERS = {
  reconciliation: 'reconciliation-every',
  webhookSweeper: 'webhook-sweeper-every',
} as const;
