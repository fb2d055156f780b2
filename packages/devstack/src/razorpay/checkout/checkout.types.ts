/** What the Pay and Fail buttons ask for; `authorized` leaves the payment for a later capture. */
export type CheckoutOutcome = 'captured' | 'authorized' | 'failed';

/** Body of `POST /_sandbox/checkout/pay`: one payment attempt made from the modal. */
export interface CheckoutPayRequest {
  order_id: string;
  /** The key id the page passed as `key`; the order must have been created with it. */
  key_id: string;
  /** Default `captured`. */
  outcome?: CheckoutOutcome;
  /** From `prefill`; recorded on the payment. */
  email?: string;
  contact?: string;
}

/** What `handler(response)` receives after a successful payment. */
export interface CheckoutSuccess {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  /** Hex HMAC-SHA256 of `order_id|razorpay_payment_id`, keyed with the account's key secret. */
  razorpay_signature: string;
}

/**
 * What `rzp.on('payment.failed', cb)` receives after a failed attempt. The pay endpoint answers
 * 200 with it; a refusal without an attempt (paid order, wrong key) is a 4xx instead.
 */
export interface CheckoutFailure {
  error: {
    code: string;
    description: string;
    source: string;
    step: string;
    reason: string;
    metadata: { order_id: string; payment_id: string };
  };
}
