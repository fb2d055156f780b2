import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creatorModel, productModel } from '@storefront/shared';
import { call, startTestApi } from '@storefront/test-support';
import { seedDemo } from '../../../../scripts/seed-demo.ts';
import type { RunningApi } from '../../src/server.ts';

describe('seedDemo', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('when run twice, then it upserts the same creators and products, and the demo account works', async () => {
    const first = await seedDemo(api.deps.mongo, { creators: 3, productsPerCreator: 2 });
    const counts = async () => [
      await creatorModel(api.deps.mongo).countDocuments(),
      await productModel(api.deps.mongo).countDocuments(),
    ];
    const once = await counts();
    const second = await seedDemo(api.deps.mongo, { creators: 3, productsPerCreator: 2 });
    expect(second.usernames).toEqual(first.usernames);
    expect(first.usernames).toEqual(['demo', 'creator0001', 'creator0002', 'creator0003']);
    expect(await counts()).toEqual(once);
    expect(once).toEqual([4, 5 + 3 * 2]);

    const store = await fetch(`${api.url}/api/v1/store/demo`);
    const body = (await store.json()) as { products: unknown[] };
    expect(body.products).toHaveLength(4);
    const login = await call(api, 'POST', '/api/v1/auth/login', {
      body: { email: 'demo@example.com', password: 'demo-password-123' },
    });
    expect(login.status).toBe(200);
    expect((await fetch(`${api.url}/api/v1/store/creator0003`)).status).toBe(200);
  });
});
