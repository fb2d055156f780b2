import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { uniqueName } from '@storefront/devstack/test-harness';
import { createCacheRedis, createLogger } from '@storefront/shared';
import { errorCode, startSecureApi, type SecureApi } from './secure-api.ts';

const LIMIT = 5;

async function exhaust(s: SecureApi, path: string, headers: Record<string, string> = {}) {
  const statuses: number[] = [];
  for (let i = 0; i < LIMIT; i++) statuses.push((await s.call(path, { headers })).status);
  return statuses;
}

describe('rate limits', () => {
  let s: SecureApi;
  beforeAll(async () => {
    s = await startSecureApi({
      RATE_LIMIT_PUBLIC_PER_MIN: String(LIMIT),
      RATE_LIMIT_AUTH_PER_MIN: String(LIMIT * 2),
      RATE_LIMIT_WEBHOOK_PER_MIN: '7',
      RATE_LIMIT_ADMIN_PER_MIN: '3',
    });
  });
  afterAll(async () => {
    await s.close();
  });

  it('when a client stays within the public limit, then each response carries draft-8 RateLimit headers', async () => {
    const res = await s.call('/api/v1/store/rl-headers-probe');
    expect(res.headers.ratelimit).toMatch(/^"public"; r=\d+; t=\d+$/);
    expect(res.headers['ratelimit-policy']).toMatch(
      new RegExp(`^"public"; q=${LIMIT}; w=60; pk=:`),
    );
  });

  it("when a client reads the storefront, then its partition key is keyed by the deployment's secret, not the address's plain hash", async () => {
    const pkOf = async (api: SecureApi) => {
      const res = await api.call('/api/v1/store/rl-pk-probe');
      const pk = /; pk=:([^:]+):$/.exec(String(res.headers['ratelimit-policy']))?.[1];
      expect(pk, String(res.headers['ratelimit-policy'])).toMatch(/^[A-Za-z0-9+/]{16}$/);
      return pk;
    };
    const mine = await pkOf(s);
    // express-rate-limit's unkeyed form for every way this client's loopback address is named.
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const plain = createHash('sha256').update(address).digest('hex').slice(0, 12);
      expect(mine, address).not.toBe(Buffer.from(plain).toString('base64'));
    }
    const sameSecret = await startSecureApi({ JWT_SECRET: s.config.JWT_SECRET });
    const otherSecret = await startSecureApi({
      JWT_SECRET: 'another-deployment-secret-0123456789abcdef',
    });
    try {
      expect(await pkOf(sameSecret)).toBe(mine);
      expect(await pkOf(otherSecret)).not.toBe(mine);
    } finally {
      await Promise.all([sameSecret.close(), otherSecret.close()]);
    }
  });

  it('when a client exceeds the public limit, then it gets 429 RATE_LIMITED JSON with Retry-After', async () => {
    const s2 = await startSecureApi({ RATE_LIMIT_PUBLIC_PER_MIN: String(LIMIT) });
    try {
      const statuses = await exhaust(s2, '/api/v1/store/anyone');
      expect(statuses.every((st) => st !== 429)).toBe(true);
      const res = await s2.call('/api/v1/store/anyone');
      expect(res.status).toBe(429);
      expect(errorCode(res)).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(res.headers.ratelimit).toMatch(/"public"; r=0;/);
      // health, readiness and metrics are never limited
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const ok = await s2.call(path);
        expect(ok.status, path).not.toBe(429);
        expect(ok.headers.ratelimit).toBeUndefined();
      }
    } finally {
      await s2.close();
    }
  });

  it('when no proxy is trusted, then a forged X-Forwarded-For does not buy a fresh limit', async () => {
    const s2 = await startSecureApi({ RATE_LIMIT_PUBLIC_PER_MIN: String(LIMIT) });
    try {
      for (let i = 0; i < LIMIT; i++) {
        await s2.call('/api/v1/store/x', { headers: { 'X-Forwarded-For': `203.0.113.${i}` } });
      }
      const res = await s2.call('/api/v1/store/x', {
        headers: { 'X-Forwarded-For': '198.51.100.77', Forwarded: 'for=198.51.100.78' },
      });
      expect(res.status).toBe(429);
    } finally {
      await s2.close();
    }
  });

  it('when the loopback proxy is trusted, then clients behind it are limited separately by X-Forwarded-For', async () => {
    const s2 = await startSecureApi({
      RATE_LIMIT_PUBLIC_PER_MIN: String(LIMIT),
      TRUST_PROXY: 'loopback',
    });
    try {
      const a = { 'X-Forwarded-For': '203.0.113.10' };
      await exhaust(s2, '/api/v1/store/x', a);
      expect((await s2.call('/api/v1/store/x', { headers: a })).status).toBe(429);
      const b = await s2.call('/api/v1/store/x', {
        headers: { 'X-Forwarded-For': '203.0.113.11' },
      });
      expect(b.status).not.toBe(429);
      // a client prepending a fake hop is still identified by the address the proxy saw
      const spoof = await s2.call('/api/v1/store/x', {
        headers: { 'X-Forwarded-For': '1.2.3.4, 203.0.113.10' },
      });
      expect(spoof.status).toBe(429);
    } finally {
      await s2.close();
    }
  });

  it('when two API processes share Redis, then they share one counter per client', async () => {
    const name = uniqueName('rlshared');
    const a = await startSecureApi({
      RATE_LIMIT_PUBLIC_PER_MIN: String(LIMIT),
      REDIS_KEY_PREFIX: `${name}:`,
    });
    const b = await startSecureApi({
      RATE_LIMIT_PUBLIC_PER_MIN: String(LIMIT),
      REDIS_KEY_PREFIX: `${name}:`,
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 1; i++) {
        statuses.push((await (i % 2 === 0 ? a : b).call('/api/v1/store/shared')).status);
      }
      expect(statuses.slice(0, LIMIT).includes(429)).toBe(false);
      expect(statuses[LIMIT]).toBe(429);
      const redis = createCacheRedis(
        inject('redisUrl'),
        createLogger({ level: 'silent', service: 'test' }),
        { enableOfflineQueue: true },
      );
      try {
        const keys = await redis.keys(`${name}:rl:public:*`);
        expect(keys.length).toBe(1);
      } finally {
        redis.disconnect();
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('when two API processes get concurrent bursts from one client, then together they admit at most the limit plus half of it', async () => {
    // Each process decides alone only below half the limit; past it, requests wait for the
    // shared count. So two processes admit at most LIMIT + LIMIT / 2 (docs/security.md).
    const limit = 20;
    const name = uniqueName('rlburst');
    const a = await startSecureApi({
      RATE_LIMIT_PUBLIC_PER_MIN: String(limit),
      REDIS_KEY_PREFIX: `${name}:`,
    });
    const b = await startSecureApi({
      RATE_LIMIT_PUBLIC_PER_MIN: String(limit),
      REDIS_KEY_PREFIX: `${name}:`,
    });
    try {
      const burst = (s: SecureApi) =>
        Array.from({ length: 30 }, () => s.call('/api/v1/store/burst').then((r) => r.status));
      const statuses = await Promise.all([...burst(a), ...burst(b)]);
      const admitted = statuses.filter((st) => st !== 429).length;
      expect(admitted).toBeGreaterThanOrEqual(limit);
      expect(admitted).toBeLessThanOrEqual(limit + limit / 2);
      // Once both have flushed, either process refuses the client.
      for (const s of [a, b]) expect((await s.call('/api/v1/store/burst')).status).toBe(429);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('when a creator presents a valid token on /api/v1/me, then the per-creator auth limit applies', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('creator-rl-1')
      .setIssuer('storefront')
      .setAudience('storefront:creator')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(s.config.JWT_SECRET));
    const res = await s.call('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    expect(res.headers['ratelimit-policy']).toMatch(new RegExp(`^"auth"; q=${LIMIT * 2};`));
  });

  it('when a token is forged with another secret, then it is limited as an anonymous client', async () => {
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('creator-rl-1')
      .setIssuer('storefront')
      .setAudience('storefront:creator')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(48)));
    const res = await s.call('/api/v1/me', { headers: { Authorization: `Bearer ${forged}` } });
    expect(res.headers['ratelimit-policy']).toMatch(new RegExp(`^"auth-anonymous"; q=${LIMIT};`));
  });

  it('when webhooks and admin routes are called, then each has its own limit', async () => {
    const wh = await s.call('/api/v1/webhooks/razorpay', { method: 'POST' });
    expect(wh.headers['ratelimit-policy']).toMatch(/^"webhook"; q=7;/);
    const admin = await s.call('/admin/queues');
    expect(admin.headers['ratelimit-policy']).toMatch(/^"admin"; q=3;/);
    const adminApi = await s.call('/api/v1/admin/dlq');
    expect(adminApi.headers['ratelimit-policy']).toMatch(/^"admin"; q=3;/);
  });
});

describe('rate limits when Redis is unreachable', () => {
  it('when RATE_LIMIT_ON_REDIS_ERROR=open, then requests pass and the failure is counted', async () => {
    const s = await startSecureApi({
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_ON_REDIS_ERROR: 'open',
    });
    try {
      const res = await s.call('/api/v1/store/redis-down');
      expect(res.status).not.toBe(429);
      expect(res.status).not.toBe(503);
      expect(res.headers.ratelimit).toBeUndefined();
      const metrics = await s.call('/metrics');
      expect(metrics.text).toMatch(
        /rate_limit_redis_errors_total\{[^}]*limiter="public"[^}]*\} [1-9]/,
      );
    } finally {
      await s.close();
    }
  });

  it('when RATE_LIMIT_ON_REDIS_ERROR=closed, then requests get 503 JSON', async () => {
    const s = await startSecureApi({
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_ON_REDIS_ERROR: 'closed',
    });
    try {
      const res = await s.call('/api/v1/store/redis-down');
      expect(res.status).toBe(503);
      expect(errorCode(res)).toBe('SERVICE_UNAVAILABLE');
      expect(res.headers['retry-after']).toBeDefined();
      expect((await s.call('/healthz')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
