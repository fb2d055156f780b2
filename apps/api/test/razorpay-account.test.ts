import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFieldCipher,
  creatorModel,
  RazorpayCredentialStore,
  RazorpayAccountRepository,
} from '@storefront/shared';
import {
  capturedEvent,
  checkout,
  createCreatorWithProduct,
  newRazorpayKeys,
  type PaymentsTestApi,
  postWebhook,
  registerSandboxAccount,
  startPaymentsApi,
  webhookUrl,
  startCheckedApi,
} from '@storefront/test-support';
import { TokenService } from '../src/auth/token.service.ts';
import type { RunningApi } from '../src/server.ts';

let t: PaymentsTestApi;
let tokens: TokenService;
beforeAll(async () => {
  t = await startPaymentsApi();
  tokens = new TokenService(t.config);
});
afterAll(async () => {
  await t?.api.close();
});

async function signedInCreator() {
  const seeded = await createCreatorWithProduct(t.api.deps.mongo);
  return { ...seeded, token: await tokens.issue(seeded.creator.id) };
}

async function call(api: RunningApi, method: string, token: string | undefined, body?: unknown) {
  const res = await fetch(`${api.url}/api/v1/me/razorpay`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

// The document as stored, read past mongoose (no `select: false`, no schema).
const rawCreator = (id: string) =>
  t.api.deps.mongo
    .collection('creators')
    .findOne<{ razorpay?: Record<string, string> }>({ _id: new Types.ObjectId(id) });

describe('/api/v1/me/razorpay', () => {
  it('when not signed in, then 401', async () => {
    expect((await call(t.api, 'GET', undefined)).status).toBe(401);
    expect((await call(t.api, 'PUT', undefined, newRazorpayKeys())).status).toBe(401);
    expect((await call(t.api, 'DELETE', 'not.a.jwt')).status).toBe(401);
  });

  it('when a creator connects, then only a masked key id comes back and no secret is stored in plain text', async () => {
    const { creator, token } = await signedInCreator();
    const keys = { ...newRazorpayKeys(), keyId: 'rzp_test_AbCdEfGh1234wxyz' };

    const put = await call(t.api, 'PUT', token, keys);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      connected: true,
      keyId: 'rzp_test_****wxyz',
      connectedAt: expect.any(String) as unknown,
      webhookUrl: `${t.config.PUBLIC_BASE_URL}/api/v1/webhooks/razorpay/${creator.id}`,
    });
    expect(put.text).not.toContain(keys.keySecret);
    expect(put.text).not.toContain(keys.webhookSecret);

    const get = await call(t.api, 'GET', token);
    expect(get.body).toEqual(put.body);
    expect(get.text).not.toContain(keys.keySecret);
    // Nor does the creator's own profile carry any of it.
    const me = await fetch(`${t.api.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const meText = await me.text();
    expect(meText).not.toContain(keys.keySecret);
    expect(meText).not.toContain('keySecretEnc');

    const raw = await rawCreator(creator.id);
    const rawText = JSON.stringify(raw);
    expect(rawText).not.toContain(keys.keySecret);
    expect(rawText).not.toContain(keys.webhookSecret);
    expect(raw?.razorpay).toMatchObject({
      keyId: keys.keyId,
      keySecretEnc: expect.stringMatching(/^v1\.dev1\./) as unknown,
      webhookSecretEnc: expect.stringMatching(/^v1\.dev1\./) as unknown,
    });
  });

  it('when a creator connects, then checkout and webhooks use the new account at once', async () => {
    const { creator, product, token } = await signedInCreator();
    const keys = newRazorpayKeys();
    await registerSandboxAccount(t.razorpayUrl, {
      ...keys,
      webhookUrl: webhookUrl(t.api.url, creator.id),
    });
    // Warm the credentials cache with the platform fallback first.
    expect((await checkout(t.api.url, creator.username, product.id)).body.razorpay.keyId).toBe(
      t.platform.keyId,
    );

    expect((await call(t.api, 'PUT', token, keys)).status).toBe(200);
    const co = await checkout(t.api.url, creator.username, product.id);
    expect(co.status).toBe(201);
    expect(co.body.razorpay.keyId).toBe(keys.keyId);
    const hook = await postWebhook(t.api.url, creator.id, capturedEvent('o', 100), {
      secret: keys.webhookSecret,
      eventId: `evt_${randomBytes(6).toString('hex')}`,
    });
    expect(hook.status).toBe(200);
  });

  it('when a creator disconnects, then the account is gone and checkout falls back to the platform', async () => {
    const { creator, product, token } = await signedInCreator();
    await call(t.api, 'PUT', token, newRazorpayKeys());
    const del = await call(t.api, 'DELETE', token);
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ connected: false, keyId: null, connectedAt: null });
    expect((await rawCreator(creator.id))?.razorpay).toBeUndefined();
    expect((await call(t.api, 'DELETE', token)).status).toBe(200);
    const co = await checkout(t.api.url, creator.username, product.id);
    expect(co.body.razorpay.keyId).toBe(t.platform.keyId);
  });

  it('when the body is invalid, then 400 and nothing changes', async () => {
    const { creator, token } = await signedInCreator();
    const good = newRazorpayKeys();
    const bad: unknown[] = [
      {},
      { ...good, keyId: 'key_123' },
      { ...good, keyId: 'rzp_prod_abcdefgh' },
      { ...good, keySecret: 'short' },
      { ...good, webhookSecret: 'has spaces in it' },
      { ...good, extra: true },
      'string',
    ];
    for (const body of bad) {
      const res = await call(t.api, 'PUT', token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.text).not.toContain(good.keySecret);
    }
    expect((await rawCreator(creator.id))?.razorpay).toBeUndefined();
  });

  it('when a stored secret is tampered with or the key is gone, then resolving fails closed', async () => {
    const { creator, token } = await signedInCreator();
    const keys = newRazorpayKeys();
    await call(t.api, 'PUT', token, keys);
    const accounts = new RazorpayAccountRepository(t.api.deps.mongo);
    const store = new RazorpayCredentialStore({
      accounts,
      config: t.config,
      cipher: createFieldCipher(t.config),
    });
    await expect(store.resolve(creator.id)).resolves.toMatchObject({
      keySecret: keys.keySecret,
    });

    const otherKey = createFieldCipher({
      ENCRYPTION_KEYS: `dev1:${randomBytes(32).toString('base64')}`,
    });
    await expect(
      new RazorpayCredentialStore({ accounts, config: t.config, cipher: otherKey }).resolve(
        creator.id,
      ),
    ).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });

    // Swapping the two ciphertexts (both valid, same key) must not work either: AAD binds fields.
    const raw = await rawCreator(creator.id);
    await creatorModel(t.api.deps.mongo).updateOne(
      { _id: creator.id },
      {
        $set: {
          'razorpay.keySecretEnc': raw?.razorpay?.webhookSecretEnc,
          'razorpay.webhookSecretEnc': raw?.razorpay?.keySecretEnc,
        },
      },
    );
    store.forget(creator.id);
    await expect(store.resolve(creator.id)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
    // And the webhook endpoint answers a clean 503 rather than verifying with garbage.
    const hook = await postWebhook(t.api.url, creator.id, capturedEvent('o', 100), {
      secret: keys.webhookSecret,
      eventId: `evt_${randomBytes(6).toString('hex')}`,
    });
    expect(hook.status).toBe(503);
    expect(hook.body).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    // GET still works: the key id is not a secret.
    expect((await call(t.api, 'GET', token)).body).toMatchObject({ connected: true });
  });

  it('when the API restarts with a different key under the same id, then the secrets fail closed', async () => {
    const { creator, product, token } = await signedInCreator();
    const connected = await call(t.api, 'PUT', token, newRazorpayKeys());
    expect(connected.status).toBe(200);
    const other = await startCheckedApi({
      ...t.config,
      ENCRYPTION_KEYS: `dev1:${randomBytes(32).toString('base64')}`,
    });
    try {
      const co = await checkout(other.url, creator.username, product.id);
      expect(co.status).toBe(503);
      expect(co.body.error?.code).toBe('PAYMENT_ACCOUNT_UNAVAILABLE');
    } finally {
      await other.close();
    }
  });
});
