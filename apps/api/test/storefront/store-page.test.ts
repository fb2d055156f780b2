import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@storefront/devstack/test-harness';
import type { RunningApi } from '../../src/server.ts';
import { call, metric, signup, startTestApi, type TestCreator } from '@storefront/test-support';

// The buyer's storefront page, `GET /<username>`, over HTTP against a running API: rendered from
// the same cache entry as the JSON, escaped, with its own strict CSP, 404/304 like the JSON, and
// the same invalidation guarantee across two API processes. (Its behaviour in a real browser is
// tested in tests/browser.)

const HOSTILE = '<img src=x onerror=alert(1)>';

async function page(api: RunningApi, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function creatorWithProducts(
  api: RunningApi,
  products: Array<{ title: string; price: number; description?: string }>,
  fields: Record<string, unknown> = {},
): Promise<{ c: TestCreator; ids: string[] }> {
  const c = await signup(api, fields);
  const ids: string[] = [];
  for (const p of products) {
    const res = await call(api, 'POST', '/api/v1/me/products', {
      token: c.token,
      body: { ...p, status: 'active' },
    });
    expect(res.status).toBe(201);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return { c, ids };
}

describe('GET /<username> (storefront page)', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('when a buyer opens a creator link, then the page shows the creator and each product with its price in ₹ and a Buy button', async () => {
    const { c, ids } = await creatorWithProducts(
      api,
      [
        { title: 'Lightroom presets', price: 49_900, description: 'Twelve presets' },
        { title: 'Masterclass', price: 15_000_000 },
      ],
      { displayName: 'Asha Rao', bio: 'Photographer in Pune' },
    );
    const res = await page(api, `/${c.username}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<h1>Asha Rao</h1>');
    expect(res.text).toContain('Photographer in Pune');
    expect(res.text).toContain('Lightroom presets');
    expect(res.text).toContain('₹499<');
    expect(res.text).toContain('₹1,50,000<'); // Indian digit grouping
    for (const id of ids) expect(res.text).toContain(`data-product="${id}"`);
    expect(res.text.match(/>Buy<\/button>/g)).toHaveLength(2);
    // Critical CSS inline; no script or stylesheet requested before first paint: the page
    // script is named on <body> and loaded by the inline loader after `load` and the first
    // product image's paint (or on intent).
    expect(res.text).toMatch(/<style>[^<]+<\/style>/);
    expect(res.text).toMatch(/<body [^>]*data-script="\/assets\/store\.[\w-]+\.js"/);
    expect(res.text).not.toMatch(/<script[^>]+src=/);
    expect(res.text).toMatch(
      /<script>\(function \(\) \{.*img\[fetchpriority="high"\].*\.decode\(\).*addEventListener\('load', afterLargestPaint\).*<\/script><\/body>/,
    );
    expect(res.text).not.toMatch(/<link[^>]+rel="stylesheet"/);
    expect(Buffer.byteLength(res.text)).toBeLessThan(14_000); // first round trips
  });

  it('when the name differs only in case, then the same page is served', async () => {
    const { c } = await creatorWithProducts(api, [{ title: 'Guide', price: 10_000 }]);
    const lower = await page(api, `/${c.username}`);
    const upper = await page(api, `/${c.username.toUpperCase()}`);
    expect(upper.status).toBe(200);
    expect(upper.headers.get('etag')).toBe(lower.headers.get('etag'));
  });

  it('when creator-controlled text carries markup, then it renders as text', async () => {
    const { c } = await creatorWithProducts(
      api,
      [{ title: HOSTILE, price: 10_000, description: '"quoted" & <b>bold</b>' }],
      { displayName: `<script>alert(1)</script>`, bio: `' onmouseover='x` },
    );
    const res = await page(api, `/${c.username}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(HOSTILE);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).not.toContain('<b>bold</b>');
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).toContain('&#39; onmouseover=&#39;x');
    expect(res.text).toContain('&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
  });

  it('when the page is served, then its CSP allows our script, the inline style by hash and Razorpay Checkout, and nothing inline', async () => {
    const { c } = await creatorWithProducts(api, [{ title: 'Guide', price: 10_000 }]);
    const res = await page(api, `/${c.username}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(res.headers.get('content-security-policy')).not.toContain(',');
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("default-src 'none'");
    const checkoutOrigin = new URL(api.deps.config.RAZORPAY_CHECKOUT_URL).origin;
    const boot = /<script>([^<]+)<\/script>/.exec(res.text)?.[1] ?? '';
    const bootHash = createHash('sha256').update(boot).digest('base64');
    expect(csp).toContain(`script-src 'self' 'sha256-${bootHash}' ${checkoutOrigin};`);
    expect(csp).toMatch(/frame-src [^;]*/);
    expect(csp).toContain(`frame-src ${checkoutOrigin}`);
    expect(csp).toContain("frame-ancestors 'none'");
    const style = /<style>([^<]+)<\/style>/.exec(res.text)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(res.text).toContain(`data-checkout="${api.deps.config.RAZORPAY_CHECKOUT_URL}"`);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin-allow-popups');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{8,}/);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('when the page is revalidated, then a matching ETag gets a 304 that keeps the page CSP', async () => {
    const { c } = await creatorWithProducts(api, [{ title: 'Guide', price: 10_000 }]);
    const first = await page(api, `/${c.username}`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await page(api, `/${c.username}`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('content-security-policy')).toBe(
      first.headers.get('content-security-policy'),
    );
  });

  it('when the username is unknown, then a small 404 page is served and negative-cached', async () => {
    const name = uniqueName('nobody').replace(/_/g, '-').slice(0, 30);
    const before = await metric(api, 'storefront_mongo_queries_total');
    const first = await page(api, `/${name}`);
    const second = await page(api, `/${name}`);
    expect(first.status).toBe(404);
    expect(second.status).toBe(404);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first.text).toContain('Storefront not found');
    expect(first.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await metric(api, 'storefront_mongo_queries_total')) - before).toBe(1);
  });

  it('when the name is hostile or malformed, then it is a 4xx page and nothing is looked up', async () => {
    const before = await metric(api, 'storefront_mongo_queries_total');
    for (const path of [
      '/%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      '/a',
      `/${'x'.repeat(40)}`,
      '/a..b',
    ]) {
      const res = await page(api, path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.text).not.toContain('<script>alert(1)');
    }
    expect(await metric(api, 'storefront_mongo_queries_total')).toBe(before);
  });

  it('when the JSON was read first, then the page comes from the same cache entry without another database read', async () => {
    const { c } = await creatorWithProducts(api, [{ title: 'Guide', price: 10_000 }]);
    expect((await fetch(`${api.url}/api/v1/store/${c.username}`)).status).toBe(200);
    const before = await metric(api, 'storefront_mongo_queries_total');
    expect((await page(api, `/${c.username}`)).status).toBe(200);
    expect((await page(api, `/${c.username}`)).status).toBe(200);
    expect(await metric(api, 'storefront_mongo_queries_total')).toBe(before);
  });

  it('when our own paths are asked for, then they keep their own answers, and their names cannot be claimed', async () => {
    expect((await page(api, '/healthz')).status).toBe(200);
    expect((await page(api, '/healthz')).headers.get('content-type')).toMatch(/json/);
    for (const username of ['orders', 'assets', 'healthz', 'api', 'admin', 'img']) {
      const res = await call(api, 'POST', '/api/v1/auth/signup', {
        body: {
          email: `${uniqueName('r')}@example.com`,
          password: 'correct-horse-battery',
          username,
          displayName: 'Squatter',
        },
      });
      expect(res.status, username).toBe(400);
      expect(JSON.stringify(await res.json())).toContain('reserved');
    }
    const c = await signup(api);
    const rename = await call(api, 'PATCH', '/api/v1/me', {
      token: c.token,
      body: { username: 'orders' },
    });
    expect(rename.status).toBe(400);
  });

  it('when the order page and the page script are requested, then the shell and an immutable script are served, and scripts never spend the rate limit', async () => {
    const order = await page(api, '/orders/0123456789abcdef01234567');
    expect(order.status).toBe(200);
    expect(order.text).toContain('Your order');
    const script = /src="(\/assets\/order\.[\w-]+\.js)"/.exec(order.text)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${api.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('ratelimit')).toBeNull();
    expect((await fetch(`${api.url}/assets/store.nothash.js`)).status).toBe(404);
  });
});

describe('storefront page across two API processes', () => {
  let a: RunningApi;
  let b: RunningApi;
  beforeAll(async () => {
    // A memory TTL far longer than the test: only invalidation can explain a fresh page.
    const name = uniqueName('pginv');
    a = await startTestApi({ STORE_MEMORY_TTL_MS: '60000' }, name);
    b = await startTestApi({ STORE_MEMORY_TTL_MS: '60000' }, name);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('when a product is edited on one process, then the other serves the new page right after the response', async () => {
    const { c, ids } = await creatorWithProducts(a, [{ title: 'Original title', price: 10_000 }]);
    for (const api of [a, b]) {
      expect((await page(api, `/${c.username}`)).text).toContain('Original title');
      expect((await page(api, `/${c.username}`)).text).toContain('Original title');
    }
    const res = await call(a, 'PATCH', `/api/v1/me/products/${ids[0]}`, {
      token: c.token,
      body: { title: 'Edited title' },
    });
    expect(res.status).toBe(200);
    for (const api of [b, a]) {
      const text = (await page(api, `/${c.username}`)).text;
      expect(text).toContain('Edited title');
      expect(text).not.toContain('Original title');
    }
  });
});
