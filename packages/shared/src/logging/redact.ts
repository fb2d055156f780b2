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

// Any run of 13–19 digits (optionally separated by spaces or dashes) is masked wherever it appears,
// so a card number pasted into a free-text field cannot reach the logs either.
const PAN_PATTERN = /\b(?:\d[ -]?){12,18}\d\b/g;

/** Returns a copy of `value` with secret-bearing keys replaced and card-like digit runs masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return value.replace(PAN_PATTERN, '[redacted-digits]');
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = REDACTED_KEYS.has(k.toLowerCase()) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}
