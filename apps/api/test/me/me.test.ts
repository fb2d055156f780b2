import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creatorModel, productModel } from '@storefront/shared';
import { call, signup, startTestApi, type TestCreator } from '@storefront/test-support';
import type { RunningApi } from '../../src/server.ts';

interface ProductJson {
  id: string;
  title: string;
  price: number;
  status: string;
  position: number;
  coverImageUrl: string | null;
}

describe('/api/v1/me over HTTP', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  /** The creator's documents as stored, to prove a rejected request changed nothing. */
  const snapshot = async (c: TestCreator) => {
    const creator = await creatorModel(api.deps.mongo).findById(c.id).lean();
    const products = await productModel(api.deps.mongo)
      .find({ creatorId: c.id })
      .sort({ _id: 1 })
      .lean();
    return JSON.stringify({ creator, products });
  };

  async function createProduct(
    c: TestCreator,
    body: Record<string, unknown>,
  ): Promise<ProductJson> {
    const res = await call(api, 'POST', '/api/v1/me/products', { token: c.token, body });
    expect(res.status).toBe(201);
    return (await res.json()) as ProductJson;
  }

  it('when the profile is patched, then GET /me shows it; avatarUrl null removes the avatar', async () => {
    const c = await signup(api);
    const patch = {
      displayName: 'Asha',
      bio: 'Prints and zines',
      avatarUrl: 'https://cdn.example.com/a.png',
      links: [{ label: 'Shop', url: 'https://example.com/shop' }],
    };
    const res = await call(api, 'PATCH', '/api/v1/me', { token: c.token, body: patch });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject(patch);
    expect(await (await call(api, 'GET', '/api/v1/me', { token: c.token })).json()).toMatchObject(
      patch,
    );
    const cleared = await call(api, 'PATCH', '/api/v1/me', {
      token: c.token,
      body: { avatarUrl: null },
    });
    expect(await cleared.json()).toMatchObject({ avatarUrl: null, displayName: 'Asha' });
  });

  it('when the username changes, then /me shows it; when it is taken, then 409 and nothing changes', async () => {
    const c = await signup(api);
    const other = await signup(api);
    const renamed = `${c.username.slice(0, 25)}-r`;
    const res = await call(api, 'PATCH', '/api/v1/me', {
      token: c.token,
      body: { username: renamed.toUpperCase() },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ username: renamed });
    const after = { ...c, id: c.id };
    const before = await snapshot(after);
    const taken = await call(api, 'PATCH', '/api/v1/me', {
      token: c.token,
      body: { username: other.username, displayName: 'Should not apply' },
    });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({
      error: { code: 'CONFLICT', details: { field: 'username' } },
    });
    expect(await snapshot(after)).toBe(before);
  });

  it('when a profile patch is bad, then 400 with field details and the account is unchanged', async () => {
    const c = await signup(api);
    const before = await snapshot(c);
    const bad: unknown[] = [
      {},
      { displayName: '' },
      { username: 'no' },
      { username: 'admin' },
      { email: 'new@example.com' },
      { passwordHash: 'x' },
      { razorpay: { keyId: 'x' } },
      { displayName: 'ok', $set: { email: 'x' } },
      { 'links.0.url': 'https://x.com' },
      { links: [{ label: 'x', url: 'https://x.com', extra: 1 }] },
      { links: [{ label: 'x', url: 'ftp://x.com' }] },
      { avatarUrl: 'javascript:alert(1)' },
      { bio: 'x'.repeat(501) },
      [],
    ];
    for (const body of bad) {
      const res = await call(api, 'PATCH', '/api/v1/me', { token: c.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const json = (await res.json()) as { error: { code: string; details?: unknown } };
      expect(json.error.code).toMatch(/^(VALIDATION_ERROR|INVALID_INPUT)$/);
      expect(json.error.details).toBeTruthy();
    }
    expect(await snapshot(c)).toBe(before);
  });

  it('when products are created, listed, updated and deleted, then each answer reflects it', async () => {
    const c = await signup(api);
    const p1 = await createProduct(c, { title: 'Zine', price: 19900, status: 'active' });
    const p2 = await createProduct(c, {
      title: 'Poster',
      price: 49900,
      coverImageUrl: 'https://cdn.example.com/p.jpg',
    });
    expect(p1).toMatchObject({
      title: 'Zine',
      price: 19900,
      status: 'active',
      position: 0,
      coverImageUrl: null,
    });
    expect(p2).toMatchObject({ status: 'draft', position: 1 });

    const patched = await call(api, 'PATCH', `/api/v1/me/products/${p2.id}`, {
      token: c.token,
      body: { status: 'active', coverImageUrl: null },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      status: 'active',
      position: 1,
      coverImageUrl: null,
    });
    const moved = await call(api, 'PATCH', `/api/v1/me/products/${p1.id}`, {
      token: c.token,
      body: { position: 5 },
    });
    expect(await moved.json()).toMatchObject({ title: 'Zine', position: 5 });

    const list = await call(api, 'GET', '/api/v1/me/products', { token: c.token });
    expect(
      ((await list.json()) as { products: ProductJson[] }).products.map((p) => p.title),
    ).toEqual(['Poster', 'Zine']);

    expect(
      (await call(api, 'DELETE', `/api/v1/me/products/${p1.id}`, { token: c.token })).status,
    ).toBe(204);
    expect(
      (await call(api, 'GET', `/api/v1/me/products/${p1.id}`, { token: c.token })).status,
    ).toBe(404);
    expect(
      (await call(api, 'DELETE', `/api/v1/me/products/${p1.id}`, { token: c.token })).status,
    ).toBe(404);
    // Kept for orders already paid, but out of every creator and buyer view.
    const stored = await productModel(api.deps.mongo).findById(p1.id).lean();
    expect(stored).toMatchObject({ status: 'draft' });
    expect(stored?.deletedAt).toBeInstanceOf(Date);
  });

  it("when a product is someone else's or the id is malformed, then 404 and nothing changes", async () => {
    const owner = await signup(api);
    const intruder = await signup(api);
    const p = await createProduct(owner, { title: 'Mine', price: 10000, status: 'active' });
    const before = await snapshot(owner);
    for (const id of [p.id, 'not-an-id', '123', '0123456789abcdef01234567', 'abcdefghijkl']) {
      expect(
        (await call(api, 'GET', `/api/v1/me/products/${id}`, { token: intruder.token })).status,
      ).toBe(404);
      const patch = await call(api, 'PATCH', `/api/v1/me/products/${id}`, {
        token: intruder.token,
        body: { title: 'Stolen' },
      });
      expect(patch.status, id).toBe(404);
      expect(await patch.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(
        (await call(api, 'DELETE', `/api/v1/me/products/${id}`, { token: intruder.token })).status,
      ).toBe(404);
    }
    expect(await snapshot(owner)).toBe(before);
  });

  it('when product input is bad, then 400 with field details and nothing is created or changed', async () => {
    const c = await signup(api);
    const p = await createProduct(c, { title: 'Base', price: 10000 });
    const before = await snapshot(c);
    const badCreate: unknown[] = [
      { title: 'x', price: 99 },
      { title: 'x', price: 100.5 },
      { title: 'x', price: '1000' },
      { title: '', price: 1000 },
      { price: 1000 },
      { title: 'x', price: 1000, currency: 'USD' },
      { title: 'x', price: 1000, status: 'deleted' },
      { title: 'x', price: 1000, creatorId: c.id },
      { title: 'x', price: 1000, file: { key: 'k' } },
      { title: 'x', price: 1000, $inc: { price: 1 } },
      { title: 'x', price: 1000, position: -1 },
    ];
    for (const body of badCreate) {
      const res = await call(api, 'POST', '/api/v1/me/products', { token: c.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { details?: unknown } }).error.details).toBeTruthy();
    }
    for (const body of [
      {},
      { price: 50 },
      { title: 'ok', deletedAt: null },
      { status: 'archived' },
    ]) {
      const res = await call(api, 'PATCH', `/api/v1/me/products/${p.id}`, { token: c.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const wrongType = await fetch(`${api.url}/api/v1/me/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'text/plain' },
      body: 'title=x',
    });
    expect(wrongType.status).toBe(415);
    expect(await snapshot(c)).toBe(before);
  });

  it('when no token is sent, then every /me route is 401', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/me'],
      ['PATCH', '/api/v1/me'],
      ['GET', '/api/v1/me/products'],
      ['POST', '/api/v1/me/products'],
      ['PATCH', '/api/v1/me/products/0123456789abcdef01234567'],
      ['DELETE', '/api/v1/me/products/0123456789abcdef01234567'],
    ] as const) {
      expect(
        (await call(api, method, path, { body: method === 'GET' ? undefined : {} })).status,
      ).toBe(401);
    }
  });
});
