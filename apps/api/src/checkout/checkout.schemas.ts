import { z } from 'zod';

/**
 * Body of a checkout: who pays, nothing else. Strict, so card fields or anything unexpected is
 * rejected rather than ignored (card data is taken only on Razorpay's own checkout).
 */
export const checkoutBody = z.strictObject({
  email: z.email().max(254),
  contact: z
    .string()
    .regex(/^\+?[0-9]{8,15}$/, 'must be a phone number: 8–15 digits, optional leading +')
    .optional(),
});

export type CheckoutInput = z.infer<typeof checkoutBody>;
