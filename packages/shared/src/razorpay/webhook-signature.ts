import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * True when `signature` (the X-Razorpay-Signature header) is the hex HMAC-SHA256 of the raw body
 * keyed with the webhook secret. Compares in constant time; never throws.
 */
export function verifyWebhookSignature(
  rawBody: Buffer,
  signature: string | undefined,
  secret: string,
): boolean {
  // The SDK's validateWebhookSignature compares with === and decodes the body as UTF-8 first, so
  // it is neither constant-time nor byte-exact; this works on the bytes.
  if (typeof signature !== 'string' || !HEX_SHA256.test(signature) || secret === '') return false;
  if (!Buffer.isBuffer(rawBody)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
