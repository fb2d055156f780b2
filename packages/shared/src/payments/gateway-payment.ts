import type { SeenPayment } from './transaction.model.ts';

// What every path that reads a Razorpay payment (webhook, reconciliation, checkout callback)
// takes from it for the shared payment-outcome path.

/** A payment as the transactions log keeps it: id, status and amount only (never card data). */
export function seenPayments(
  payments: ReadonlyArray<{ id: string; status: string; amount: number }>,
): SeenPayment[] {
  return payments.map((p) => ({ id: p.id, status: p.status, amount: p.amount }));
}

/** The reason of a failed payment, as PaymentOutcomes.recordFailed takes it. */
export function paymentError(payment: {
  error_code?: string | null;
  error_description?: string | null;
  error_reason?: string | null;
}): { code?: string; description?: string; reason?: string } {
  return {
    code: payment.error_code ?? undefined,
    description: payment.error_description ?? undefined,
    reason: payment.error_reason ?? undefined,
  };
}
