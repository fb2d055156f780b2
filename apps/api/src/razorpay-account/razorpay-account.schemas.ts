import { z } from 'zod';

// Razorpay key ids are `rzp_test_…` or `rzp_live_…` followed by an alphanumeric id.
const KEY_ID = /^rzp_(test|live)_[A-Za-z0-9]{6,40}$/;
// Secrets are opaque to us, but never contain whitespace or control characters.
const SECRET = /^[\x21-\x7e]+$/;

/** Body of `PUT /api/v1/me/razorpay`. */
export const connectRazorpayBody = z.strictObject({
  keyId: z.string().regex(KEY_ID, 'must look like rzp_test_… or rzp_live_…'),
  keySecret: z.string().min(8).max(128).regex(SECRET, 'must be printable ASCII without spaces'),
  webhookSecret: z.string().min(8).max(256).regex(SECRET, 'must be printable ASCII without spaces'),
});

export type ConnectRazorpayInput = z.infer<typeof connectRazorpayBody>;
