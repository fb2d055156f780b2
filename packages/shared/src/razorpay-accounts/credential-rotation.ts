import type { FieldCipher } from '../crypto/field-encryption.ts';
import type { Logger } from '../logging/logger.ts';
import type { RazorpayAccountRepository } from './razorpay-account.repository.ts';
import { decryptRazorpaySecrets, encryptRazorpaySecrets } from './razorpay-secrets.ts';

/** What a rotation run did. `failed` counts values that could not be decrypted with any key. */
export interface RotationReport {
  scanned: number;
  rotated: number;
  alreadyCurrent: number;
  /** Changed by someone else while we rotated (they wrote with the active key anyway). */
  skipped: number;
  failed: number;
}

/**
 * Re-encrypts every creator's Razorpay secrets with the cipher's active key, in batches of
 * `batchSize`. Idempotent: values already under the active key are left alone, so a second run
 * rotates nothing. Each write is conditional on the old ciphertext, so a concurrent reconnect is
 * never overwritten.
 */
export async function rotateRazorpaySecrets(deps: {
  accounts: RazorpayAccountRepository;
  cipher: FieldCipher;
  logger?: Logger;
  batchSize?: number;
}): Promise<RotationReport> {
  const repo = deps.accounts;
  const batchSize = deps.batchSize ?? 200;
  const report: RotationReport = {
    scanned: 0,
    rotated: 0,
    alreadyCurrent: 0,
    skipped: 0,
    failed: 0,
  };
  let after: string | undefined;
  for (;;) {
    const batch = await repo.listAfter(after, batchSize);
    if (batch.length === 0) break;
    after = batch[batch.length - 1]?.creatorId;
    for (const { creatorId, razorpay } of batch) {
      report.scanned += 1;
      const stale =
        deps.cipher.needsRotation(razorpay.keySecretEnc) ||
        deps.cipher.needsRotation(razorpay.webhookSecretEnc);
      if (!stale) {
        report.alreadyCurrent += 1;
        continue;
      }
      let secrets: { keySecret: string; webhookSecret: string };
      try {
        secrets = decryptRazorpaySecrets(deps.cipher, creatorId, razorpay);
      } catch (err) {
        report.failed += 1;
        deps.logger?.error('cannot decrypt creator razorpay secrets; left as they are', {
          creatorId,
          err,
        });
        continue;
      }
      const next = encryptRazorpaySecrets(deps.cipher, creatorId, secrets);
      if (await repo.replaceSecrets(creatorId, razorpay, next)) report.rotated += 1;
      else report.skipped += 1;
    }
    if (batch.length < batchSize) break;
  }
  return report;
}
