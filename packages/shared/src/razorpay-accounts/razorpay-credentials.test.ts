import { randomBytes } from 'node:crypto';
import mongoose, { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '@storefront/devstack/test-harness';
import { creatorModel } from '../creators/creator.model.ts';
import { createFieldCipher } from '../crypto/field-encryption.ts';
import { rotateRazorpaySecrets } from './credential-rotation.ts';
import { RazorpayAccountRepository } from './razorpay-account.repository.ts';
import { PLATFORM_ACCOUNT, RazorpayCredentialStore } from './razorpay-credentials.ts';
import { encryptRazorpaySecrets } from './razorpay-secrets.ts';

const keyA = `a:${randomBytes(32).toString('base64')}`;
const keyB = `b:${randomBytes(32).toString('base64')}`;
const config = testConfig({ ENCRYPTION_KEYS: keyA, RAZORPAY_KEY_ID: 'rzp_test_platformcreds' });
let mongo: Connection;

beforeAll(async () => {
  mongo = await mongoose.createConnection(config.MONGO_URL).asPromise();
});
afterAll(async () => {
  await mongo.dropDatabase();
  await mongo.close();
});

async function creatorWithSecrets(
  cipherKeys: string,
  secrets?: { keySecret: string; webhookSecret: string },
) {
  const _id = new Types.ObjectId();
  const id = String(_id);
  const cipher = createFieldCipher({ ENCRYPTION_KEYS: cipherKeys });
  await creatorModel(mongo).create({
    _id,
    username: `c${id.slice(-10)}`,
    email: `${id}@example.test`,
    passwordHash: 'x',
    displayName: 'Creator',
    ...(secrets
      ? {
          razorpay: {
            keyId: `rzp_test_${id.slice(-8)}`,
            connectedAt: new Date(),
            ...encryptRazorpaySecrets(cipher, id, secrets),
          },
        }
      : {}),
  });
  return id;
}

function credentialStore(cipher = createFieldCipher(config)): RazorpayCredentialStore {
  return new RazorpayCredentialStore({
    accounts: new RazorpayAccountRepository(mongo),
    config,
    cipher,
  });
}

describe('RazorpayCredentialStore', () => {
  it('when the account is platform, then the configured platform credentials come back', async () => {
    const creds = await credentialStore().resolve(PLATFORM_ACCOUNT);
    expect(creds).toEqual({
      account: 'platform',
      keyId: 'rzp_test_platformcreds',
      keySecret: config.RAZORPAY_KEY_SECRET,
      webhookSecret: config.RAZORPAY_WEBHOOK_SECRET,
    });
  });

  it('when a creator has credentials, then they come back decrypted, and cached until forgotten', async () => {
    const id = await creatorWithSecrets(keyA, { keySecret: 'ks-1', webhookSecret: 'wh-1' });
    const store = credentialStore();
    const creds = await store.resolve(id);
    expect(creds).toMatchObject({ account: id, keySecret: 'ks-1', webhookSecret: 'wh-1' });

    await creatorModel(mongo).updateOne({ _id: id }, { $unset: { razorpay: 1 } });
    expect((await store.resolve(id)).account).toBe(id);
    store.forget(id);
    expect((await store.resolve(id)).account).toBe('platform');
  });

  it('when a creator has no credentials or does not exist, then the platform account is used', async () => {
    const store = credentialStore();
    const id = await creatorWithSecrets(keyA);
    expect((await store.resolve(id)).account).toBe('platform');
    expect((await store.resolve(String(new Types.ObjectId()))).account).toBe('platform');
  });

  it('when the account is malformed, then it is refused', async () => {
    const store = credentialStore();
    await expect(store.resolve('nope')).rejects.toThrow(/Unknown payment account/);
  });

  it('when the stored secret was encrypted with a key we do not hold, then it fails closed', async () => {
    const id = await creatorWithSecrets(keyB, { keySecret: 'ks', webhookSecret: 'wh' });
    const store = credentialStore();
    await expect(store.resolve(id)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });
});

describe('rotateRazorpaySecrets', () => {
  it('when a new key becomes active, then every secret is re-encrypted once and still decrypts', async () => {
    await creatorModel(mongo).deleteMany({});
    const ids = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await creatorWithSecrets(keyA, { keySecret: `ks-${i}`, webhookSecret: `wh-${i}` }));
    }
    const broken = await creatorWithSecrets(keyA, { keySecret: 'ks', webhookSecret: 'wh' });
    await creatorModel(mongo).updateOne(
      { _id: broken },
      { $set: { 'razorpay.keySecretEnc': 'v1.a.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA' } },
    );
    const cipher = createFieldCipher({
      ENCRYPTION_KEYS: `${keyA},${keyB}`,
      ENCRYPTION_ACTIVE_KEY_ID: 'b',
    });

    const first = await rotateRazorpaySecrets({
      accounts: new RazorpayAccountRepository(mongo),
      cipher,
      batchSize: 2,
    });
    expect(first).toEqual({ scanned: 6, rotated: 5, alreadyCurrent: 0, skipped: 0, failed: 1 });
    const second = await rotateRazorpaySecrets({
      accounts: new RazorpayAccountRepository(mongo),
      cipher,
      batchSize: 2,
    });
    expect(second).toEqual({ scanned: 6, rotated: 0, alreadyCurrent: 5, skipped: 0, failed: 1 });

    const onlyB = credentialStore(createFieldCipher({ ENCRYPTION_KEYS: keyB }));
    for (const [i, id] of ids.entries()) {
      const creds = await onlyB.resolve(id);
      expect(creds).toMatchObject({ keySecret: `ks-${i}`, webhookSecret: `wh-${i}` });
    }
  });
});
