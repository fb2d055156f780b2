import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * True when `signature` (Standard Checkout's `razorpay_signature`) is the hex HMAC-SHA256 of
 * `orderId|paymentId` keyed with the key secret of the account that created the order. Compares
 * in constant time; never throws. A valid signature says the payment was authorized for this
 * order, not that it was captured.
 */
export function verifyCheckoutSignature(
  orderId: string,
  paymentId: string,
  signature: string | undefined,
  keySecret: string,
): boolean {
  // The SDK's validatePaymentVerification compares with ===, like its webhook check.
  if (typeof signature !== 'string' || !HEX_SHA256.test(signature)) return false;
  if (typeof orderId !== 'string' || typeof paymentId !== 'string') return false;
  // An empty part would make `a|` and `|a` style payloads ambiguous; Razorpay ids are never empty.
  if (orderId === '' || paymentId === '' || keySecret === '') return false;
  const expected = createHmac('sha256', keySecret).update(`${orderId}|${paymentId}`).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
