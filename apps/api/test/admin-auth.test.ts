import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '@storefront/devstack/test-harness';
import { startCheckedApi } from '@storefront/test-support';
import type { RunningApi } from '../src/server.ts';

// The operator endpoints (DLQ API and Bull Board) against a real API process: nothing without
// the admin credentials, everything with them.

const ADMIN = { user: 'ops', password: 'a-long-admin-password' };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
let api: RunningApi;

beforeAll(async () => {
  api = await startCheckedApi(
    testConfig({ ADMIN_USERNAME: ADMIN.user, ADMIN_PASSWORD: ADMIN.password }),
  );
});
afterAll(async () => {
  await api?.close();
});

describe('admin authentication', () => {
  it.each([
    ['no credentials', undefined],
    ['a wrong password', basic(ADMIN.user, 'a-long-admin-passwore')],
    ['a wrong user', basic('opz', ADMIN.password)],
    ['a malformed header', 'Basic not-base64!'],
    ['a bearer token', 'Bearer abc'],
  ])(
    'when the DLQ API is called with %s, then it answers 401 JSON',
    async (_label, authorization) => {
      const res = await fetch(`${api.url}/api/v1/admin/dlq`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(await res.json()).toEqual({
        error: { code: 'UNAUTHORIZED', message: 'Admin credentials required' },
      });
    },
  );

  it('when Bull Board is opened without credentials, then it answers 401 with WWW-Authenticate', async () => {
    const res = await fetch(`${api.url}/admin/queues`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="storefront-admin"/);
  });

  it('when a replay is attempted without credentials, then nothing is done', async () => {
    const res = await fetch(`${api.url}/api/v1/admin/dlq/replay`, { method: 'POST' });
    expect(res.status).toBe(401);
  });

  it('when the credentials are right, then the DLQ list and Bull Board answer', async () => {
    const headers = { authorization: basic(ADMIN.user, ADMIN.password) };
    const list = await fetch(`${api.url}/api/v1/admin/dlq`, { headers });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ items: [], page: 1, limit: 20, total: 0 });

    const board = await fetch(`${api.url}/admin/queues`, { headers });
    expect(board.status).toBe(200);
    expect(board.headers.get('content-type')).toMatch(/text\/html/);
    const queues = await fetch(`${api.url}/admin/queues/api/queues`, { headers });
    expect(queues.status).toBe(200);
    const names = ((await queues.json()) as { queues: Array<{ name: string }> }).queues.map(
      (q) => q.name,
    );
    expect(names.sort()).toEqual([
      'deliveries',
      'maintenance',
      'order-checks',
      'reconciliation',
      'webhooks',
    ]);
  });

  it('when the list query is invalid, then it answers 400', async () => {
    const headers = { authorization: basic(ADMIN.user, ADMIN.password) };
    const res = await fetch(`${api.url}/api/v1/admin/dlq?status=gone&limit=1000`, { headers });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_ERROR');
  });
});
