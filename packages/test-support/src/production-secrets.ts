import { randomBytes } from 'node:crypto';
import { newRazorpayKeyId, type RazorpayKeys } from './payments.ts';

/**
 * Secrets NODE_ENV=production requires, fresh random values per run (used by the load test, the
 * chaos run and the worker's webhook bench). `encryptionKeyId` names the one ENCRYPTION_KEYS key;
 * the Razorpay platform keys are `platform`'s, or random ones when no sandbox account needs them.
 */
export function productionSecrets(
  encryptionKeyId: string,
  platform?: RazorpayKeys,
): Record<string, string> {
  const r = (n: number) => randomBytes(n).toString('hex');
  return {
    JWT_SECRET: r(32),
    ADMIN_PASSWORD: r(12),
    ENCRYPTION_KEYS: `${encryptionKeyId}:${randomBytes(32).toString('base64')}`,
    RAZORPAY_KEY_ID: platform?.keyId ?? newRazorpayKeyId(),
    RAZORPAY_KEY_SECRET: platform?.keySecret ?? r(16),
    RAZORPAY_WEBHOOK_SECRET: platform?.webhookSecret ?? r(16),
  };
}
