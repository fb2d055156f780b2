import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@storefront/devstack/test-harness';
import { call, metric, signup, startTestApi } from '@storefront/test-support';
import type { RunningApi } from '../../src/server.ts';

// The storefront's pre-Express hot path (src/storefront/store-fast-path.ts) must answer exactly
// as the Express route does. A trailing slash sends the same request through Express (the route
// matches it, the fast path does not), so the two answers can be compared side by side.

const FAST = 'storefront_fast_path_responses_total';
// Headers that differ per request by design.
const PER_REQUEST = new Set(['date', 'x-request-id', 'ratelimit']);

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
  rateLimit: string | null;
}

async function get(api: RunningApi, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, { headers });
  const all: Record<string, string> = {};
  for (const [k, v] of res.headers) if (!PER_REQUEST.has(k)) all[k] = v;
  const answer: Answer = {
    status: res.status,
    body: await res.text(),
    headers: all,
    rateLimit: res.headers.get('ratelimit'),
  };
  return { answer, requestId: res.headers.get('x-request-id') };
}

/** Fetches `path` and reports whether the fast path answered it. */
async function viaPath(api: RunningApi, path: string, headers: Record<string, string> = {}) {
  const before = await metric(api, FAST);
  const r = await get(api, path, headers);
  return { ...r, fast: (await metric(api, FAST)) - before === 1 };
}

describe('storefront fast path', () => {
  let api: RunningApi;
  let username: string;
  beforeAll(async () => {
    api = await startTestApi({ STORE_MEMORY_TTL_MS: '60000', RATE_LIMIT_PUBLIC_PER_MIN: '1000' });
    const c = await signup(api, { bio: 'fast path' });
    const res = await call(api, 'POST', '/api/v1/me/products', {
      token: c.token,
      body: { title: 'Zine', price: 15000, status: 'active', position: 1 },
    });
    expect(res.status).toBe(201);
    username = c.username;
  });
  afterAll(async () => {
    await api.close();
  });

  it('when a storefront is in memory, then the fast path answers it exactly as the Express route does', async () => {
    const cold = await viaPath(api, `/api/v1/store/${username}`);
    expect(cold.fast).toBe(false); // a miss: Express loads it
    const fast = await viaPath(api, `/api/v1/store/${username}`);
    const slow = await viaPath(api, `/api/v1/store/${username}/`);
    expect(fast.fast).toBe(true);
    expect(slow.fast).toBe(false);
    expect(fast.answer.status).toBe(200);
    expect(JSON.parse(fast.answer.body)).toMatchObject({ products: [{ title: 'Zine' }] });
    expect(fast.answer.headers).toEqual(slow.answer.headers);
    expect(fast.answer.body).toBe(slow.answer.body);
    // Both counted once against the same public limit, one after the other.
    expect(fast.answer.rateLimit).toMatch(/^"public"; r=\d+; t=\d+$/);
    const remaining = (a: Answer) => Number(/r=(\d+)/.exec(a.rateLimit ?? '')?.[1]);
    expect(remaining(fast.answer) - remaining(slow.answer)).toBe(1);
    expect(fast.answer.headers['content-security-policy']).toContain("default-src 'none'");
    expect(fast.answer.headers['strict-transport-security']).toContain('max-age=31536000');
    expect(fast.answer.headers.vary).toBe('Origin');
  });

  it('when the storefront page is in memory, then the fast path answers it exactly as the Express route does, with the page CSP only', async () => {
    expect((await viaPath(api, `/api/v1/store/${username}`)).answer.status).toBe(200);
    const fast = await viaPath(api, `/${username}`);
    const slow = await viaPath(api, `/${username}/`);
    expect(fast.fast).toBe(true);
    expect(slow.fast).toBe(false);
    expect(fast.answer.status).toBe(200);
    expect(fast.answer.body).toContain('Zine');
    expect(fast.answer.headers).toEqual(slow.answer.headers);
    expect(fast.answer.body).toBe(slow.answer.body);
    expect(fast.answer.headers['content-type']).toBe('text/html; charset=utf-8');
    // One CSP, the page's (a second header would be enforced too and block everything).
    expect(fast.answer.headers['content-security-policy']).toContain("script-src 'self'");
    expect(fast.answer.headers['content-security-policy']).not.toContain(',');
    expect(fast.answer.headers['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
    const etag = fast.answer.headers.etag!;
    const fast304 = await viaPath(api, `/${username}`, { 'If-None-Match': etag });
    const slow304 = await viaPath(api, `/${username}/`, { 'If-None-Match': etag });
    expect(fast304.fast).toBe(true);
    expect(fast304.answer.status).toBe(304);
    expect(fast304.answer).toEqual({ ...slow304.answer, rateLimit: fast304.answer.rateLimit });
  });

  it('when a reserved name is asked for, then the fast path leaves it to its own route even if it was cached as missing', async () => {
    expect((await viaPath(api, '/api/v1/store/healthz')).answer.status).toBe(404);
    expect((await viaPath(api, '/api/v1/store/healthz')).fast).toBe(true);
    const health = await viaPath(api, '/healthz');
    expect(health.fast).toBe(false);
    expect(health.answer.status).toBe(200);
    expect(health.answer.headers['content-type']).toMatch(/json/);
  });

  it('when If-None-Match matches, then both paths answer 304 alike', async () => {
    const etag = (await get(api, `/api/v1/store/${username}`)).answer.headers.etag!;
    const fast = await viaPath(api, `/api/v1/store/${username}`, { 'If-None-Match': etag });
    const slow = await viaPath(api, `/api/v1/store/${username}/`, { 'If-None-Match': etag });
    expect(fast.fast).toBe(true);
    expect(fast.answer.status).toBe(304);
    expect(fast.answer).toEqual({ ...slow.answer, rateLimit: fast.answer.rateLimit });
  });

  it('when an unknown name is cached as missing, then both paths answer the same 404', async () => {
    const name = uniqueName('nobody').toLowerCase().slice(0, 20);
    expect((await viaPath(api, `/api/v1/store/${name}`)).answer.status).toBe(404);
    const fast = await viaPath(api, `/api/v1/store/${name}`);
    const slow = await viaPath(api, `/api/v1/store/${name}/`);
    expect(fast.fast).toBe(true);
    expect(fast.answer.status).toBe(404);
    expect(fast.answer).toEqual({ ...slow.answer, rateLimit: fast.answer.rateLimit });
  });

  it('when a safe X-Request-Id is sent, then the fast path echoes it, and replaces an unsafe one', async () => {
    const echoed = await viaPath(api, `/api/v1/store/${username}`, { 'X-Request-Id': 'trace-42' });
    expect(echoed.fast).toBe(true);
    expect(echoed.requestId).toBe('trace-42');
    const replaced = await viaPath(api, `/api/v1/store/${username}`, { 'X-Request-Id': 'a b' });
    expect(replaced.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a request has an Origin, a query string or another shape, then Express answers it', async () => {
    const shapes: Array<[string, Record<string, string>]> = [
      [`/api/v1/store/${username}`, { Origin: 'https://elsewhere.example' }],
      [`/api/v1/store/${username}?ref=mail`, {}],
      [`/API/v1/store/${username}`, {}],
      [
        `/api/v1/store/${encodeURIComponent(username).replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
        {},
      ],
    ];
    for (const [path, headers] of shapes) {
      const r = await viaPath(api, path, headers);
      expect(r.fast, path).toBe(false);
      expect(r.answer.status, path).toBe(200);
    }
    const head = await fetch(`${api.url}/api/v1/store/${username}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('storefront fast path and the public rate limit', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startTestApi({ STORE_MEMORY_TTL_MS: '60000', RATE_LIMIT_PUBLIC_PER_MIN: '6' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('when one client keeps asking, then it gets exactly its limit across both paths, the rest 429', async () => {
    const name = uniqueName('ghost').toLowerCase().slice(0, 20); // a cached 404 is a memory hit too
    const statuses: number[] = [];
    const fast: boolean[] = [];
    for (let i = 0; i < 9; i++) {
      const r = await viaPath(api, `/api/v1/store/${name}`);
      statuses.push(r.answer.status);
      fast.push(r.fast);
    }
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 429, 429, 429]);
    // Below half the limit the fast path decides alone; past it, Express waits for the shared count.
    expect(fast).toEqual([false, true, true, false, false, false, false, false, false]);
  });
});
