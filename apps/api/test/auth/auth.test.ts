import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creatorModel } from '@storefront/shared';
import { call, signup, startTestApi } from '@storefront/test-support';
import type { RunningApi } from '../../src/server.ts';

const ISS = 'storefront';
const AUD = 'storefront:creator';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('creator auth over HTTP', () => {
  let api: RunningApi;
  let secret: Uint8Array;
  beforeAll(async () => {
    api = await startTestApi();
    secret = new TextEncoder().encode(api.deps.config.JWT_SECRET);
  });
  afterAll(async () => {
    await api.close();
  });

  const hs256 = (sub: string, claims: { iat: number; exp: number; aud?: string }) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(ISS)
      .setAudience(claims.aud ?? AUD)
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .sign(secret);

  const me = (token: string | undefined, raw?: string) =>
    call(
      api,
      'GET',
      '/api/v1/me',
      raw === undefined ? { token } : { headers: { authorization: raw } },
    );

  it('when a creator signs up, then they get a working token and an account view without secrets', async () => {
    const c = await signup(api, {
      bio: 'hello',
      links: [{ label: 'Site', url: 'https://example.com' }],
    });
    const res = await me(c.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: c.id, username: c.username, email: c.email, bio: 'hello' });
    expect(Object.keys(body).sort()).toEqual(
      [
        'avatar',
        'avatarUrl',
        'bio',
        'createdAt',
        'displayName',
        'email',
        'id',
        'links',
        'updatedAt',
        'username',
      ].sort(),
    );
    const stored = await creatorModel(api.deps.mongo).findById(c.id).select('+passwordHash').lean();
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('when the password is right, then login returns a token; when wrong or the email is unknown, then the same 401', async () => {
    const c = await signup(api);
    const ok = await call(api, 'POST', '/api/v1/auth/login', {
      body: { email: c.email.toUpperCase(), password: c.password },
    });
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    expect((await me(token)).status).toBe(200);

    const wrong = await call(api, 'POST', '/api/v1/auth/login', {
      body: { email: c.email, password: 'not-the-password' },
    });
    const unknown = await call(api, 'POST', '/api/v1/auth/login', {
      body: { email: `nobody-${c.username}@example.com`, password: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('when an unknown email logs in, then it takes about as long as a wrong password (a hash is verified either way)', async () => {
    const c = await signup(api);
    const time = async (email: string) => {
      const t = performance.now();
      await call(api, 'POST', '/api/v1/auth/login', {
        body: { email, password: 'not-the-password' },
      });
      return performance.now() - t;
    };
    await time('warmup@example.com');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(c.email));
      unknown.push(await time(`ghost-${i}@example.com`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1] as number;
    // Verifying an argon2id hash dominates both paths; skipping it would make unknown emails ~100x faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.4);
  });

  it('when the username or email is taken, then signup is 409 naming the field', async () => {
    const c = await signup(api);
    const sameName = await call(api, 'POST', '/api/v1/auth/signup', {
      body: { email: `other-${c.email}`, password: 'correct-horse-battery', username: c.username },
    });
    expect(sameName.status).toBe(409);
    expect(await sameName.json()).toMatchObject({
      error: { code: 'CONFLICT', details: { field: 'username' } },
    });
    const sameEmail = await call(api, 'POST', '/api/v1/auth/signup', {
      body: {
        email: c.email,
        password: 'correct-horse-battery',
        username: `${c.username.slice(0, 20)}x2`,
      },
    });
    expect(sameEmail.status).toBe(409);
    expect(await sameEmail.json()).toMatchObject({ error: { details: { field: 'email' } } });
  });

  it('when signup input is bad, then 400 with field details and no account is created', async () => {
    const creators = creatorModel(api.deps.mongo);
    const before = await creators.countDocuments();
    const bad = [
      { email: 'x@example.com', password: 'short', username: 'valid-name' },
      { email: 'not-an-email', password: 'correct-horse-battery', username: 'valid-name' },
      { email: 'x@example.com', password: 'correct-horse-battery', username: '-bad-' },
      { email: 'x@example.com', password: 'correct-horse-battery', username: 'admin' },
      {
        email: 'x@example.com',
        password: 'correct-horse-battery',
        username: 'valid-name',
        $where: '1',
      },
      {
        email: 'x@example.com',
        password: 'correct-horse-battery',
        username: 'valid-name',
        role: 'admin',
      },
      { email: { $gt: '' }, password: 'correct-horse-battery', username: 'valid-name' },
      {
        email: 'x@example.com',
        password: 'correct-horse-battery',
        username: 'valid-name',
        links: [{ label: 'x', url: 'javascript:alert(1)' }],
      },
    ];
    for (const body of bad) {
      const res = await call(api, 'POST', '/api/v1/auth/signup', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const json = (await res.json()) as { error: { code: string; details: unknown } };
      // `$`-keys are stopped by the global input guard (INVALID_INPUT) before our schema sees them.
      expect(json.error.code).toMatch(/^(VALIDATION_ERROR|INVALID_INPUT)$/);
      expect(json.error.details).toBeTruthy();
    }
    expect(await creators.countDocuments()).toBe(before);
  });

  describe('bearer tokens', () => {
    let c: Awaited<ReturnType<typeof signup>>;
    beforeAll(async () => {
      c = await signup(api);
    });

    it('when a token is fresh, then the request passes without a refreshed token', async () => {
      const res = await me(c.token);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-refreshed-token')).toBeNull();
    });

    it('when a valid token is older than JWT_REFRESH_AFTER_SECONDS, then a fresh 7-day token comes back in X-Refreshed-Token', async () => {
      const old = await hs256(c.id, { iat: now() - 2 * 86400, exp: now() + 5 * 86400 });
      const res = await me(old);
      expect(res.status).toBe(200);
      const fresh = res.headers.get('x-refreshed-token');
      expect(fresh).toBeTruthy();
      const payload = JSON.parse(Buffer.from(fresh!.split('.')[1]!, 'base64url').toString()) as {
        iat: number;
        exp: number;
        sub: string;
      };
      expect(payload.sub).toBe(c.id);
      expect(Math.abs(payload.iat - now())).toBeLessThan(5);
      expect(payload.exp - payload.iat).toBe(7 * 86400);
      expect((await me(fresh!)).status).toBe(200);
    });

    const expect401 = async (res: Response) => {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    };

    it('when the token is missing or not a bearer JWT, then 401 JSON', async () => {
      await expect401(await me(undefined));
      await expect401(await me(undefined, 'Bearer garbage'));
      await expect401(await me(undefined, 'Bearer a.b.c'));
      await expect401(await me(undefined, `Basic ${Buffer.from('a:b').toString('base64')}`));
    });

    it('when the token expired, then 401', async () => {
      await expect401(await me(await hs256(c.id, { iat: now() - 8 * 86400, exp: now() - 86400 })));
    });

    it('when the payload was tampered with, then 401', async () => {
      const [h, , s] = c.token.split('.');
      const forged = b64({
        sub: '000000000000000000000000',
        iss: ISS,
        aud: AUD,
        iat: now(),
        exp: now() + 3600,
      });
      await expect401(await me(`${h}.${forged}.${s}`));
      const sig = s!;
      const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
      await expect401(await me(`${h}.${c.token.split('.')[1]}.${flipped}`));
    });

    it('when the token says alg none, then 401', async () => {
      const claims = { sub: c.id, iss: ISS, aud: AUD, iat: now(), exp: now() + 3600 };
      await expect401(await me(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`));
    });

    it('when the token is signed with another algorithm (HS512 with our secret, RS256), then 401', async () => {
      const hs512 = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS512' })
        .setSubject(c.id)
        .setIssuer(ISS)
        .setAudience(AUD)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(secret);
      await expect401(await me(hs512));
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const rs256 = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setSubject(c.id)
        .setIssuer(ISS)
        .setAudience(AUD)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      await expect401(await me(rs256));
    });

    it('when the token is for another audience or a creator that no longer exists, then 401', async () => {
      await expect401(
        await me(await hs256(c.id, { iat: now(), exp: now() + 3600, aud: 'something-else' })),
      );
      const gone = await signup(api);
      await creatorModel(api.deps.mongo).deleteOne({ username: gone.username });
      await expect401(await me(gone.token));
    });
  });
});
