import { maskCardNumbers } from '../privacy/card-numbers.ts';

// Keys whose values never reach a log line. Matching is case-insensitive on the key name, at any depth.
const REDACTED_KEYS = new Set(
  [
    'authorization',
    'cookie',
    'set-cookie',
    'password',
    'passwordhash',
    'token',
    'accesstoken',
    'access_token',
    'refreshtoken',
    'jwt',
    'secret',
    'keysecret',
    'key_secret',
    'webhooksecret',
    'webhook_secret',
    'x-razorpay-signature',
    'card',
    'card_number',
    'cardnumber',
    'number',
    'cvv',
    'cvc',
    'expiry',
    'expiry_month',
    'expiry_year',
    'encryptionkeys',
    'x-refreshed-token',
    'metrics_token',
    'metricstoken',
    'razorpay_signature',
    'signature',
    'api_key',
    'apikey',
    'x-api-key',
    'cvv2',
    'cvc2',
    'card_no',
    'security_code',
  ].map((k) => k.toLowerCase()),
);

// Card numbers are masked in every string, whatever its key, so one pasted into a free-text field
// cannot reach the logs either (the same mask as stored free text: privacy/card-numbers.ts).

/** Returns a copy of `value` with secret-bearing keys replaced and card-like digit runs masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return maskCardNumbers(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = REDACTED_KEYS.has(k.toLowerCase()) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}
