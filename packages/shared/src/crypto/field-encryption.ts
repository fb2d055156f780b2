import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';
import { KEY_ID_PATTERN, parseEncryptionKeys, type EncryptionKeyRing } from './encryption-keys.ts';

// Stored values look like `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id
// travels with every value so keys can be rotated value by value; the version leaves room for
// another scheme without guessing.
const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PART = /^[A-Za-z0-9_-]*$/;

/** Binds a ciphertext to the document and field it belongs to (GCM additional authenticated data). */
export interface FieldAad {
  collection: string;
  id: string;
  field: string;
}

/** Encrypts and decrypts single document fields with the configured key ring. */
export interface FieldCipher {
  /** Encrypts with the active key; the result embeds the key id. */
  encrypt(plaintext: string, aad: FieldAad): string;
  /** Decrypts or throws {@link FieldDecryptionError}; never returns unauthenticated data. */
  decrypt(ciphertext: string, aad: FieldAad): string;
  /** Id of the key new values are encrypted with. */
  readonly activeKeyId: string;
  /** True when `ciphertext` is not (recognisably) encrypted with the active key. */
  needsRotation(ciphertext: string): boolean;
}

/** A stored value could not be decrypted: tampered, wrong document/field, or its key is gone. */
export class FieldDecryptionError extends AppError {
  constructor(message: string) {
    super('DECRYPTION_FAILED', 500, message);
  }
}

/** The configuration a cipher is built from (a subset of Config). */
export interface FieldCipherConfig {
  ENCRYPTION_KEYS: string;
  ENCRYPTION_ACTIVE_KEY_ID?: string | undefined;
}

/**
 * AES-256-GCM field encryption: a random 12-byte IV per value and the document/field as AAD, so
 * a value copied onto another document or field fails to decrypt. Throws at construction when the
 * keys are unusable (the config schema already rejects them, this guards direct callers).
 */
export function createFieldCipher(config: FieldCipherConfig): FieldCipher {
  const parsed = parseEncryptionKeys(config.ENCRYPTION_KEYS);
  if (!parsed.ok) throw new Error(`ENCRYPTION_KEYS: ${parsed.problems.join('; ')}`);
  const keys: EncryptionKeyRing = parsed.keys;
  const activeKeyId = config.ENCRYPTION_ACTIVE_KEY_ID ?? keys.keys().next().value;
  const activeKey = activeKeyId === undefined ? undefined : keys.get(activeKeyId);
  if (activeKeyId === undefined || activeKey === undefined) {
    throw new Error(
      `ENCRYPTION_ACTIVE_KEY_ID: "${activeKeyId ?? ''}" is not one of the ids in ENCRYPTION_KEYS`,
    );
  }

  return {
    activeKeyId,
    encrypt(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, activeKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aadBytes(activeKeyId, aad));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, activeKeyId, b64(iv), b64(cipher.getAuthTag()), b64(body)].join('.');
    },
    decrypt(ciphertext, aad) {
      const parts = parse(ciphertext);
      if (parts === undefined)
        throw new FieldDecryptionError('Stored value is not a valid ciphertext');
      const key = keys.get(parts.keyId);
      if (key === undefined) {
        throw new FieldDecryptionError(
          `Stored value needs key "${parts.keyId}", which is not configured`,
        );
      }
      try {
        const decipher = createDecipheriv(ALGORITHM, key, parts.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aadBytes(parts.keyId, aad));
        decipher.setAuthTag(parts.tag);
        return Buffer.concat([decipher.update(parts.body), decipher.final()]).toString('utf8');
      } catch {
        // GCM authentication failed: tampered value, other document/field, or a different key
        // under the same id. The cause carries nothing useful and is deliberately dropped.
        throw new FieldDecryptionError('Stored value failed authentication');
      }
    },
    needsRotation(ciphertext) {
      return parse(ciphertext)?.keyId !== activeKeyId;
    },
  };
}

interface Parts {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  body: Buffer;
}

function parse(value: string): Parts | undefined {
  if (typeof value !== 'string') return undefined;
  const [version, keyId, iv, tag, body, ...rest] = value.split('.');
  if (
    version !== VERSION ||
    rest.length > 0 ||
    keyId === undefined ||
    !KEY_ID_PATTERN.test(keyId)
  ) {
    return undefined;
  }
  if (iv === undefined || tag === undefined || body === undefined) return undefined;
  if (![iv, tag, body].every((p) => PART.test(p))) return undefined;
  const parts = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    body: Buffer.from(body, 'base64url'),
  };
  if (parts.iv.length !== IV_BYTES || parts.tag.length !== TAG_BYTES) return undefined;
  // Only the canonical encoding: otherwise the spare bits of a last character could be flipped
  // without changing the bytes, and a "tampered" value would still decrypt.
  if (b64(parts.iv) !== iv || b64(parts.tag) !== tag || b64(parts.body) !== body) return undefined;
  return parts;
}

// Length-prefixed so no two different (keyId, collection, id, field) tuples share AAD bytes.
function aadBytes(keyId: string, aad: FieldAad): Buffer {
  return Buffer.from(
    [VERSION, keyId, aad.collection, aad.id, aad.field].map((s) => `${s.length}:${s}`).join('|'),
    'utf8',
  );
}

function b64(buf: Buffer): string {
  return buf.toString('base64url');
}
