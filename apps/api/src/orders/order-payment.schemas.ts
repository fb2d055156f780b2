import { z } from 'zod';

/**
 * Body of `POST /api/v1/orders/:id/payment`: exactly what Standard Checkout's `handler(response)`
 * receives on success. Strict, so anything else (card fields included) is refused.
 */
export const orderPaymentBody = z.strictObject({
  razorpay_payment_id: z
    .string()
    .regex(/^pay_[A-Za-z0-9]{8,32}$/, 'must be a Razorpay payment id (pay_…)'),
  razorpay_order_id: z
    .string()
    .regex(/^order_[A-Za-z0-9]{8,32}$/, 'must be a Razorpay order id (order_…)'),
  razorpay_signature: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be a hex HMAC-SHA256 signature (64 characters)'),
});

export type OrderPaymentInput = z.infer<typeof orderPaymentBody>;
