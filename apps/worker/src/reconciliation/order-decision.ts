import type { RazorpayPayment } from '@storefront/shared';

/**
 * What reconciliation does with one order, given the payments Razorpay lists for its gateway
 * order. Precedence, first match wins:
 * 1. a `captured` payment → `capture` (every captured one, oldest first; the shared path marks
 *    the order paid once and alerts on any extra capture);
 * 2. an `authorized` payment → `wait` (money is held but not captured: Razorpay captures or
 *    refunds it later; closing the order now could strand a capture);
 * 3. a `created` payment → `wait` (an attempt still in progress);
 * 4. the order is younger than the expiry window → `wait` (the buyer may still pay or retry);
 * 5. no payment at all → `expire`;
 * 6. otherwise every attempt `failed` (or was `refunded`, i.e. the money went back) → `fail`.
 */
export type OrderDecision =
  | { action: 'capture'; captured: RazorpayPayment[] }
  | { action: 'fail' }
  | { action: 'expire' }
  | { action: 'wait'; reason: 'awaiting_capture' | 'in_progress' | 'within_window' };

/** Decides an order's fate from its Razorpay payments; pure, see {@link OrderDecision}. */
export function decideOrder(
  payments: readonly RazorpayPayment[],
  order: { createdAt: Date },
  now: number,
  expiryMs: number,
): OrderDecision {
  const captured = payments
    .filter((p) => p.status === 'captured')
    .sort((a, b) => a.created_at - b.created_at);
  if (captured.length > 0) return { action: 'capture', captured };
  if (payments.some((p) => p.status === 'authorized')) {
    return { action: 'wait', reason: 'awaiting_capture' };
  }
  if (payments.some((p) => p.status === 'created'))
    return { action: 'wait', reason: 'in_progress' };
  if (now - order.createdAt.getTime() < expiryMs)
    return { action: 'wait', reason: 'within_window' };
  return payments.length === 0 ? { action: 'expire' } : { action: 'fail' };
}
