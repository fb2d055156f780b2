import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEncryptionKeys } from './encryption-keys.ts';
import { createFieldCipher, FieldDecryptionError } from './field-encryption.ts';

const key = () => randomBytes(32).toString('base64');
const k1 = key();
const k2 = key();
const aad = { collection: 'creators', id: '65f000000000000000000001', field: 'keySecret' };

describe('createFieldCipher', () => {
  it('when a value is encrypted, then it decrypts to the same text and never contains it', () => {
    const cipher = createFieldCipher({ ENCRYPTION_KEYS: `a:${k1}` });
    const secret = 'rzp-secret-₹-ünïcode';
    const ct = cipher.encrypt(secret, aad);
    expect(ct).toMatch(/^v1\.a\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(ct).not.toContain(secret);
    expect(cipher.decrypt(ct, aad)).toBe(secret);
    expect(cipher.decrypt(cipher.encrypt('', aad), aad)).toBe('');
  });

  it('when the same text is encrypted twice, then the ciphertexts differ (random IV)', () => {
    const cipher = createFieldCipher({ ENCRYPTION_KEYS: `a:${k1}` });
    expect(cipher.encrypt('same', aad)).not.toBe(cipher.encrypt('same', aad));
  });

  it('when any character of the ciphertext is changed, then decrypt throws', () => {
    const cipher = createFieldCipher({ ENCRYPTION_KEYS: `a:${k1}` });
    const ct = cipher.encrypt('top secret value', aad);
    for (let i = 5; i < ct.length; i++) {
      if (ct[i] === '.') continue;
      const tampered = ct.slice(0, i) + (ct[i] === 'A' ? 'B' : 'A') + ct.slice(i + 1);
      expect(() => cipher.decrypt(tampered, aad), `position ${i}`).toThrow(FieldDecryptionError);
    }
    expect(() => cipher.decrypt(ct + 'A', aad)).toThrow(FieldDecryptionError);
    expect(() => cipher.decrypt('plaintext', aad)).toThrow(FieldDecryptionError);
  });

  it('when the value is moved to another document or field, then decrypt throws', () => {
    const cipher = createFieldCipher({ ENCRYPTION_KEYS: `a:${k1}` });
    const ct = cipher.encrypt('secret', aad);
    expect(() => cipher.decrypt(ct, { ...aad, id: '65f000000000000000000002' })).toThrow(
      FieldDecryptionError,
    );
    expect(() => cipher.decrypt(ct, { ...aad, field: 'webhookSecret' })).toThrow(
      FieldDecryptionError,
    );
    expect(() => cipher.decrypt(ct, { ...aad, collection: 'products' })).toThrow(
      FieldDecryptionError,
    );
  });

  it('when the key under the same id is different, or the id is unknown, then decrypt throws', () => {
    const ct = createFieldCipher({ ENCRYPTION_KEYS: `a:${k1}` }).encrypt('secret', aad);
    expect(() => createFieldCipher({ ENCRYPTION_KEYS: `a:${k2}` }).decrypt(ct, aad)).toThrow(
      FieldDecryptionError,
    );
    expect(() => createFieldCipher({ ENCRYPTION_KEYS: `b:${k1}` }).decrypt(ct, aad)).toThrow(
      /key "a".*not configured/,
    );
  });

  it('when a second key becomes active, then old values still decrypt and report needing rotation', () => {
    const old = createFieldCipher({ ENCRYPTION_KEYS: `a:${k1}` });
    const ct = old.encrypt('secret', aad);
    const rotated = createFieldCipher({
      ENCRYPTION_KEYS: `a:${k1},b:${k2}`,
      ENCRYPTION_ACTIVE_KEY_ID: 'b',
    });
    expect(rotated.activeKeyId).toBe('b');
    expect(rotated.decrypt(ct, aad)).toBe('secret');
    expect(rotated.needsRotation(ct)).toBe(true);
    const fresh = rotated.encrypt('secret', aad);
    expect(fresh.startsWith('v1.b.')).toBe(true);
    expect(rotated.needsRotation(fresh)).toBe(false);
    expect(rotated.needsRotation('garbage')).toBe(true);
  });

  it('when no active id is configured, then the first key is active', () => {
    expect(createFieldCipher({ ENCRYPTION_KEYS: `x:${k1},y:${k2}` }).activeKeyId).toBe('x');
  });

  it('when the active id names no configured key, then construction fails naming the variable', () => {
    expect(() =>
      createFieldCipher({ ENCRYPTION_KEYS: `a:${k1}`, ENCRYPTION_ACTIVE_KEY_ID: 'zz' }),
    ).toThrow(/ENCRYPTION_ACTIVE_KEY_ID/);
  });
});

describe('parseEncryptionKeys', () => {
  it('when keys are well formed (base64 or base64url), then all are returned in order', () => {
    const url = randomBytes(32).toString('base64url');
    const parsed = parseEncryptionKeys(` a:${k1} , b-2:${url}`);
    expect(parsed.ok && [...parsed.keys.keys()]).toEqual(['a', 'b-2']);
  });

  it('when a key is short, long, not base64, duplicated or unnamed, then each is reported', () => {
    const parsed = parseEncryptionKeys(
      `a:${randomBytes(16).toString('base64')},b:${randomBytes(33).toString('base64')},c:@@@@,e:${k1},e:${k2},${k2},d.e:${k1}`,
    );
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/exactly 32 bytes \(got 16\)/);
    expect(problems.join('\n')).toMatch(/got 33/);
    expect(problems.join('\n')).toMatch(/not valid base64/);
    expect(problems.join('\n')).toMatch(/duplicate/);
    expect(problems.join('\n')).not.toContain(k1);
  });

  it('when the value is empty, then it is rejected', () => {
    expect(parseEncryptionKeys(' , ').ok).toBe(false);
  });
});
