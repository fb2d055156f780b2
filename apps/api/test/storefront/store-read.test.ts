import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creatorModel, productModel } from '@storefront/shared';
import { uniqueName } from '@storefront/devstack/test-harness';
import {
  call,
  metric,
  signup,
  startCheckedApi,
  startTestApi,
  type TestCreator,
  tiers,
} from '@storefront/test-support';
import type { RunningApi } from '../../src/server.ts';

const store = (api: RunningApi, username: string, headers: Record<string, string> = {}) =>
  fetch(`${api.url}/api/v1/store/${username}`, { headers });

async function addProduct(
  api: RunningApi,
  c: TestCreator,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await call(api, 'POST', '/api/v1/me/products', { token: c.token, body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A creator whose storefront nobody has requested yet (signup itself invalidates, so the cache is cold). */
async function creatorWithProducts(api: RunningApi): Promise<TestCreator> {
  const c = await signup(api, {
    bio: 'bio',
    links: [{ label: 'Site', url: 'https://example.com' }],
  });
  await addProduct(api, c, { title: 'Second', price: 20000, status: 'active', position: 2 });
  await addProduct(api, c, { title: 'First', price: 10000, status: 'active', position: 1 });
  await addProduct(api, c, { title: 'Hidden draft', price: 30000, status: 'draft' });
  return c;
}

describe('storefront read path over HTTP', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startTestApi({ STORE_MEMORY_TTL_MS: '300', STORE_NEGATIVE_TTL_SECONDS: '5' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('when a storefront is read, then it holds only public fields and active products in order', async () => {
    const c = await creatorWithProducts(api);
    // Private fields other features write must never surface.
    await creatorModel(api.deps.mongo).updateOne(
      { username: c.username },
      {
        $set: {
          razorpay: {
            keyId: 'rzp_x',
            keySecretEnc: 'enc',
            webhookSecretEnc: 'enc',
            connectedAt: new Date(),
          },
        },
      },
    );
    await productModel(api.deps.mongo).updateMany(
      { title: 'First' },
      {
        $set: {
          file: {
            key: 'products/secret.pdf',
            name: 'a.pdf',
            contentType: 'application/pdf',
            size: 1,
            uploadedAt: new Date(),
          },
        },
      },
    );
    const res = await store(api, c.username);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await res.text();
    expect(text).not.toMatch(
      /email|passwordHash|razorpay|secret|file|draft|status|creatorId|position/i,
    );
    const body = JSON.parse(text) as { creator: unknown; products: Array<Record<string, unknown>> };
    expect(body.creator).toEqual({
      username: c.username,
      displayName: `Creator ${c.username}`,
      bio: 'bio',
      avatarUrl: null,
      avatar: null,
      links: [{ label: 'Site', url: 'https://example.com' }],
    });
    expect(body.products.map((p) => p.title)).toEqual(['First', 'Second']);
    expect(Object.keys(body.products[0]!).sort()).toEqual(
      ['coverImageUrl', 'currency', 'description', 'id', 'image', 'price', 'title'].sort(),
    );
    expect(body.products[0]).toMatchObject({ price: 10000, currency: 'INR' });
  });

  it('when a storefront is read twice, then MongoDB fills it once and the memory tier answers the same bytes', async () => {
    const c = await creatorWithProducts(api);
    const before = await tiers(api);
    const queries = await metric(api, 'storefront_mongo_queries_total');
    const first = await store(api, c.username);
    const second = await store(api, c.username);
    const after = await tiers(api);
    expect(after.mongo - before.mongo).toBe(1);
    expect(after.memory - before.memory).toBe(1);
    expect((await metric(api, 'storefront_mongo_queries_total')) - queries).toBe(1);
    expect(first.headers.get('etag')).toBe(second.headers.get('etag'));
    expect(await first.text()).toBe(await second.text());
    // Redis holds the same bytes, with the configured TTL.
    const key = `store:{${c.username}}`;
    expect(await api.deps.redis.get(key)).toBeTruthy();
    const ttl = await api.deps.redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(api.deps.config.STORE_REDIS_TTL_SECONDS);
  });

  it('when the memory TTL has passed, then the next read comes from Redis, not MongoDB', async () => {
    const c = await creatorWithProducts(api);
    await store(api, c.username);
    const before = await tiers(api);
    // No event marks an expiry: waiting past the TTL is the test.
    await new Promise((r) => setTimeout(r, api.deps.config.STORE_MEMORY_TTL_MS + 50));
    expect((await store(api, c.username)).status).toBe(200);
    const after = await tiers(api);
    expect(after.redis - before.redis).toBe(1);
    expect(after.mongo - before.mongo).toBe(0);
  });

  it('when a client revalidates with the ETag, then 304 with no body; Cache-Control makes clients revalidate', async () => {
    const c = await creatorWithProducts(api);
    const first = await store(api, c.username);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await store(api, c.username, { 'if-none-match': inm });
      expect(res.status, inm).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
    }
    expect((await store(api, c.username, { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('when a username is unknown, then 404 JSON, cached briefly so repeats do not reach MongoDB; signing up under it shows at once', async () => {
    const name = uniqueName('ghost').replace(/_/g, '-');
    const queries = await metric(api, 'storefront_mongo_queries_total');
    for (let i = 0; i < 5; i++) {
      const res = await store(api, name);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'Storefront not found' },
      });
    }
    expect((await metric(api, 'storefront_mongo_queries_total')) - queries).toBe(1);
    expect(await api.deps.redis.ttl(`store:{${name}}`)).toBeLessThanOrEqual(5);
    await signup(api, { username: name });
    expect((await store(api, name)).status).toBe(200);
  });

  it('when a username cannot exist, then 400 without touching Redis or MongoDB', async () => {
    const before = await tiers(api);
    const queries = await metric(api, 'storefront_mongo_queries_total');
    const errors = await metric(api, 'storefront_redis_errors_total');
    for (const bad of [
      'ab',
      '-abc',
      'abc-',
      'a'.repeat(31),
      'a%20b',
      'a.b',
      '%24where',
      'ab%00c',
    ]) {
      const res = await store(api, bad);
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    }
    expect(await tiers(api)).toEqual(before);
    expect(await metric(api, 'storefront_mongo_queries_total')).toBe(queries);
    expect(await metric(api, 'storefront_redis_errors_total')).toBe(errors);
    for (const bad of ['ab', '-abc', 'abc-', 'a.b']) {
      expect(await api.deps.redis.exists(`store:{${bad}}`, `store:{${bad}}:lease`)).toBe(0);
    }
  });

  it('when a username has capitals, then it reads the lowercase storefront', async () => {
    const c = await creatorWithProducts(api);
    const res = await store(api, c.username.toUpperCase());
    expect(res.status).toBe(200);
    expect(((await res.json()) as { creator: { username: string } }).creator.username).toBe(
      c.username,
    );
  });
});

describe('storefront refresh-ahead', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startTestApi({ STORE_MEMORY_TTL_MS: '1000' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('when a storefront stays hot past its memory TTL, then it is refreshed in the background and requests keep hitting memory', async () => {
    const c = await signup(api);
    await store(api, c.username);
    const before = await tiers(api);
    const until = Date.now() + 3_500;
    let n = 0;
    while (Date.now() < until) {
      expect((await store(api, c.username)).status).toBe(200);
      n += 1;
      await new Promise((r) => setTimeout(r, 20));
    }
    const after = await tiers(api);
    // Without refresh-ahead, each of the three expiries would send a request to Redis.
    expect(after.redis - before.redis + (after.coalesced - before.coalesced)).toBeLessThanOrEqual(
      1,
    );
    expect(after.memory - before.memory).toBeGreaterThanOrEqual(n - 1);
    expect(after.mongo - before.mongo).toBe(0);
  });
});

describe('storefront Redis TTL', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startTestApi({ STORE_MEMORY_TTL_MS: '50', STORE_REDIS_TTL_SECONDS: '1' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('when the Redis entry expires, then MongoDB is read again', async () => {
    const c = await signup(api);
    await store(api, c.username);
    const queries = await metric(api, 'storefront_mongo_queries_total');
    await new Promise((r) => setTimeout(r, 1_100));
    await store(api, c.username);
    expect((await metric(api, 'storefront_mongo_queries_total')) - queries).toBe(1);
  });
});

describe('storefront with Redis down', () => {
  let api: RunningApi;
  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails fast.
    api = await startTestApiWithoutRedis();
  });
  afterAll(async () => {
    await api.close();
  });

  async function startTestApiWithoutRedis(): Promise<RunningApi> {
    const { testConfig } = await import('@storefront/devstack/test-harness');
    const a = await startCheckedApi(
      testConfig({
        REDIS_URL: 'redis://127.0.0.1:1',
        STORE_MEMORY_TTL_MS: '200',
        RATE_LIMIT_ON_REDIS_ERROR: 'open',
      }),
    );
    return a;
  }

  it('when Redis is unreachable, then storefronts are served from MongoDB and writes still show at once', async () => {
    const c = await signup(api);
    const res = await store(api, c.username);
    expect(res.status).toBe(200);
    expect(await metric(api, 'storefront_requests_total', { tier: 'mongo' })).toBeGreaterThan(0);
    const patch = await call(api, 'PATCH', '/api/v1/me', {
      token: c.token,
      body: { displayName: 'Changed' },
    });
    expect(patch.status).toBe(200);
    const after = (await (await store(api, c.username)).json()) as {
      creator: { displayName: string };
    };
    expect(after.creator.displayName).toBe('Changed');
    expect((await store(api, 'nobody-here')).status).toBe(404);
  });
});
