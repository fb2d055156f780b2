/** Lifecycle of an order. `paid` is terminal; a capture wins over an earlier failure or expiry. */
export const ORDER_STATUSES = ['created', 'pending', 'paid', 'failed', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

// For each target status, the statuses an order may move from. `created → paid` is allowed
// because a payment can be captured before our own `created → pending` write landed.
const ALLOWED_FROM: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  created: [],
  pending: ['created'],
  paid: ['created', 'pending', 'failed', 'expired'],
  failed: ['created', 'pending'],
  expired: ['created', 'pending'],
};

/**
 * Statuses of an order still awaiting its payment verdict: neither paid nor closed as failed or
 * expired. Reconciliation checks these; a busy API defers the Checkout callback only for these.
 */
export const AWAITING_VERDICT: readonly OrderStatus[] = ['created', 'pending'];

/** Whether an order in `status` still awaits its payment verdict ({@link AWAITING_VERDICT}). */
export function awaitsVerdict(status: OrderStatus): boolean {
  return AWAITING_VERDICT.includes(status);
}

/** Statuses from which an order may move to `to`. */
export function allowedFrom(to: OrderStatus): readonly OrderStatus[] {
  return ALLOWED_FROM[to];
}

/** Whether `from → to` is a legal transition. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED_FROM[to].includes(from);
}
