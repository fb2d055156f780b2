import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.ts';
import { createFieldCipher } from './field-encryption.ts';

describe('ENCRYPTION_KEYS in the config schema', () => {
  it('when a key is not 32 bytes, then loading the config fails naming ENCRYPTION_KEYS and no key', () => {
    const short = randomBytes(31).toString('base64');
    let error: unknown;
    try {
      loadConfig({ ENCRYPTION_KEYS: `k1:${short}` });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(
      /ENCRYPTION_KEYS: entry 1 \(id "k1"\): key must decode to exactly 32 bytes/,
    );
    expect(message).not.toContain(short);
  });

  it('when the keys are valid (or defaulted), then a cipher can be built from the config', () => {
    const config = loadConfig({ ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` });
    expect(createFieldCipher(config).activeKeyId).toBe('k1');
    expect(createFieldCipher(loadConfig({})).activeKeyId).toBe('dev1');
  });
});
