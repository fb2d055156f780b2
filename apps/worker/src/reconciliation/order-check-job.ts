import type { Job } from 'bullmq';
import { awaitsVerdict, type OrderCheckJobData, type OrderToCheck } from '@storefront/shared';
import { checkOrder, type CheckContext } from './order-check.ts';
import type { OrderOutcome } from './reconciliation.metrics.ts';

/** What a finished order check keeps as its return value (visible in Bull Board). */
export interface OrderCheckJobResult {
  /** `settled`: a webhook (or another path) had settled the order; Razorpay was not asked. */
  outcome: OrderOutcome | 'settled' | 'not_found';
  status?: string;
}

/** A check could not reach Razorpay (BullMQ retries it with backoff; reconciliation remains). */
export class OrderCheckDeferredError extends Error {
  constructor(orderId: string) {
    super(`Razorpay could not be asked about order ${orderId}; the check is retried`);
    this.name = 'OrderCheckDeferredError';
  }
}

/**
 * The processor of `order-checks` jobs, scheduled by a Checkout callback the API deferred: an
 * order still awaiting its verdict is checked as a reconciliation run checks it (its payments
 * at Razorpay, applied through the shared payment-outcome path); an order a webhook has settled
 * meanwhile, the usual case, costs one read and no gateway call. `context` gives each job a
 * fresh failure streak.
 */
export function orderCheckProcessor(
  context: () => CheckContext,
): (job: Job<OrderCheckJobData>) => Promise<OrderCheckJobResult> {
  return async (job) => {
    const ctx = context();
    const order = await ctx.deps.orders.findById(job.data.orderId);
    if (!order) return { outcome: 'not_found' };
    if (!awaitsVerdict(order.status) || !order.gatewayOrderId) {
      return { outcome: 'settled', status: order.status };
    }
    const outcome = await checkOrder(ctx, order as OrderToCheck);
    if (outcome === 'deferred') throw new OrderCheckDeferredError(job.data.orderId);
    return { outcome };
  };
}
