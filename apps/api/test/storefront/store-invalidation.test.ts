import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_DEPLOYMENTS_WITH_SENTINEL, uniqueName } from '@storefront/devstack/test-harness';
import {
  call,
  metric,
  signup,
  startTestApi,
  type TestCreator,
  tiers,
} from '@storefront/test-support';
import type { RunningApi } from '../../src/server.ts';

interface Storefront {
  creator: { username: string; displayName: string; bio: string };
  products: Array<{ id: string; title: string; price: number }>;
}

async function read(
  api: RunningApi,
  username: string,
): Promise<{ status: number; body?: Storefront }> {
  const res = await fetch(`${api.url}/api/v1/store/${username}`);
  return res.status === 200
    ? { status: 200, body: (await res.json()) as Storefront }
    : { status: res.status };
}

// Two startApi() instances on one config: two processes' worth of state (memory caches,
// subscriber connections) over the same MongoDB database and Redis key prefix; on the run's one
// redis-server, again on its Redis Cluster (sharded pub/sub there) and on its password-protected
// Sentinel set.
describe.each(REDIS_DEPLOYMENTS_WITH_SENTINEL)(
  'storefront invalidation across two API processes on %s',
  (_name, redisEnv) => {
    let a: RunningApi;
    let b: RunningApi;
    beforeAll(async () => {
      // A memory TTL far longer than the test: only invalidation can explain a fresh read.
      const name = uniqueName('inv');
      a = await startTestApi({ STORE_MEMORY_TTL_MS: '60000', ...redisEnv() }, name);
      b = await startTestApi({ STORE_MEMORY_TTL_MS: '60000', ...redisEnv() }, name);
    });
    afterAll(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    /** Reads the storefront on both processes twice, so each holds it in memory. */
    async function warm(username: string): Promise<void> {
      for (const api of [a, b]) {
        await read(api, username);
        const before = (await tiers(api)).memory;
        await read(api, username);
        expect((await tiers(api)).memory - before).toBe(1);
      }
    }

    async function withProduct(): Promise<{ c: TestCreator; productId: string }> {
      const c = await signup(a);
      const res = await call(a, 'POST', '/api/v1/me/products', {
        token: c.token,
        body: { title: 'Original', price: 10000, status: 'active' },
      });
      return { c, productId: ((await res.json()) as { id: string }).id };
    }

    it('when the profile changes on one process, then the other serves the new version right after the response', async () => {
      const { c } = await withProduct();
      await warm(c.username);
      const res = await call(a, 'PATCH', '/api/v1/me', {
        token: c.token,
        body: { displayName: 'New name', bio: 'New bio' },
      });
      expect(res.status).toBe(200);
      for (const api of [a, b]) {
        expect((await read(api, c.username)).body?.creator).toMatchObject({
          displayName: 'New name',
          bio: 'New bio',
        });
      }
      expect(
        await metric(b, 'storefront_invalidations_total', { origin: 'remote' }),
      ).toBeGreaterThan(0);
      // Answered on acknowledgements, not by waiting out the (60 s) memory TTL.
      expect(await metric(a, 'storefront_invalidation_fallbacks_total')).toBe(0);
    });

    it('when a product is created, updated or deleted on one process, then both serve the change at once', async () => {
      const { c, productId } = await withProduct();
      await warm(c.username);

      const created = await call(b, 'POST', '/api/v1/me/products', {
        token: c.token,
        body: { title: 'Added', price: 20000, status: 'active' },
      });
      expect(created.status).toBe(201);
      for (const api of [a, b]) {
        expect((await read(api, c.username)).body?.products.map((p) => p.title)).toEqual([
          'Original',
          'Added',
        ]);
      }

      await warm(c.username);
      const updated = await call(b, 'PATCH', `/api/v1/me/products/${productId}`, {
        token: c.token,
        body: { price: 15000, title: 'Renamed' },
      });
      expect(updated.status).toBe(200);
      for (const api of [a, b]) {
        expect((await read(api, c.username)).body?.products[0]).toMatchObject({
          title: 'Renamed',
          price: 15000,
        });
      }

      await warm(c.username);
      const hidden = await call(a, 'PATCH', `/api/v1/me/products/${productId}`, {
        token: c.token,
        body: { status: 'draft' },
      });
      expect(hidden.status).toBe(200);
      for (const api of [a, b]) {
        expect((await read(api, c.username)).body?.products.map((p) => p.title)).toEqual(['Added']);
      }

      await warm(c.username);
      const addedId = ((await created.json()) as { id: string }).id;
      expect(
        (await call(a, 'DELETE', `/api/v1/me/products/${addedId}`, { token: c.token })).status,
      ).toBe(204);
      for (const api of [a, b]) {
        expect((await read(api, c.username)).body?.products).toEqual([]);
      }
    });

    it('when a creator renames, then the old name is 404 and the new name serves on both processes', async () => {
      const { c } = await withProduct();
      const newName = `${c.username.slice(0, 24)}-new`;
      await warm(c.username);
      // The new name sits in both negative caches before the rename.
      for (const api of [a, b]) expect((await read(api, newName)).status).toBe(404);
      const res = await call(b, 'PATCH', '/api/v1/me', {
        token: c.token,
        body: { username: newName },
      });
      expect(res.status).toBe(200);
      for (const api of [a, b]) {
        expect((await read(api, c.username)).status).toBe(404);
        expect((await read(api, newName)).body?.creator.username).toBe(newName);
      }
      // The same token keeps working and product writes now invalidate the new name.
      await warm(newName);
      await call(a, 'POST', '/api/v1/me/products', {
        token: c.token,
        body: { title: 'After rename', price: 500, status: 'active' },
      });
      for (const api of [a, b]) {
        expect((await read(api, newName)).body?.products.map((p) => p.title)).toContain(
          'After rename',
        );
      }
    });

    it('when 1,000 requests for one cold key hit two processes at once, then MongoDB is queried once per process at most (once in all)', async () => {
      const { c } = await withProduct();
      // Cold everywhere: nothing in memory on either process, nothing in Redis.
      await a.deps.redis.del(`store:{${c.username}}`);
      const q0 = [
        await metric(a, 'storefront_mongo_queries_total'),
        await metric(b, 'storefront_mongo_queries_total'),
      ];
      const results = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/api/v1/store/${c.username}`),
        ),
      );
      const bodies = await Promise.all(results.map((r) => r.text()));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(new Set(bodies).size).toBe(1);
      const q1 = [
        await metric(a, 'storefront_mongo_queries_total'),
        await metric(b, 'storefront_mongo_queries_total'),
      ];
      const perProcess = [q1[0]! - q0[0]!, q1[1]! - q0[1]!];
      expect(perProcess[0]).toBeLessThanOrEqual(1);
      expect(perProcess[1]).toBeLessThanOrEqual(1);
      expect(perProcess[0]! + perProcess[1]!).toBe(1);
    });
  },
);
