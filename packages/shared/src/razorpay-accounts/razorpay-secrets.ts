import type { CreatorRazorpay } from '../creators/creator.model.ts';
import type { FieldAad, FieldCipher } from '../crypto/field-encryption.ts';

/** The two secret fields of `creators.razorpay`, as named in their encryption AAD. */
export type RazorpaySecretField = 'razorpay.keySecret' | 'razorpay.webhookSecret';

/** AAD binding a creator's secret to that creator and field, so values cannot be swapped. */
export function razorpaySecretAad(creatorId: string, field: RazorpaySecretField): FieldAad {
  return { collection: 'creators', id: creatorId, field };
}

/** Encrypts a creator's secrets for storage with the active key. */
export function encryptRazorpaySecrets(
  cipher: FieldCipher,
  creatorId: string,
  secrets: { keySecret: string; webhookSecret: string },
): Pick<CreatorRazorpay, 'keySecretEnc' | 'webhookSecretEnc'> {
  return {
    keySecretEnc: cipher.encrypt(
      secrets.keySecret,
      razorpaySecretAad(creatorId, 'razorpay.keySecret'),
    ),
    webhookSecretEnc: cipher.encrypt(
      secrets.webhookSecret,
      razorpaySecretAad(creatorId, 'razorpay.webhookSecret'),
    ),
  };
}

/** Decrypts a creator's stored secrets; throws FieldDecryptionError rather than return garbage. */
export function decryptRazorpaySecrets(
  cipher: FieldCipher,
  creatorId: string,
  stored: Pick<CreatorRazorpay, 'keySecretEnc' | 'webhookSecretEnc'>,
): { keySecret: string; webhookSecret: string } {
  return {
    keySecret: cipher.decrypt(
      stored.keySecretEnc,
      razorpaySecretAad(creatorId, 'razorpay.keySecret'),
    ),
    webhookSecret: cipher.decrypt(
      stored.webhookSecretEnc,
      razorpaySecretAad(creatorId, 'razorpay.webhookSecret'),
    ),
  };
}
