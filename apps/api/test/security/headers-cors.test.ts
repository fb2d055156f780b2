import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, startSecureApi, type ProbeResponse, type SecureApi } from './secure-api.ts';

const FRONTEND = 'https://shop.example.com';

function expectApiSecurityHeaders(res: ProbeResponse): void {
  expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{8,}; includeSubDomains/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  const csp = String(res.headers['content-security-policy']);
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers['x-powered-by']).toBeUndefined();
}

describe('security headers', () => {
  let s: SecureApi;
  beforeAll(async () => {
    s = await startSecureApi({ CORS_ORIGINS: `${FRONTEND},https://admin.example.com` });
  });
  afterAll(async () => {
    await s.close();
  });

  it.each([
    ['a health check', '/healthz', {}],
    ['an unknown route (404)', '/no/such/route', {}],
    [
      'a malformed JSON body (400)',
      '/api/v1/anything',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":' },
    ],
    [
      'a non-JSON body (415)',
      '/api/v1/anything',
      { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hi' },
    ],
    [
      'an operator-injection body (400)',
      '/api/v1/anything',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"u":{"$ne":1}}' },
    ],
  ] as const)(
    'when the response is %s, then every security header is set',
    async (_name, path, opts) => {
      const o = opts as { method?: string; headers?: Record<string, string>; body?: string };
      const res = await s.call(path, { method: o.method, headers: o.headers, body: o.body });
      expect(res.status).toBeLessThan(500);
      expectApiSecurityHeaders(res);
    },
  );

  it('when the Bull Board path is served, then its CSP lets its own scripts and styles load but nothing else', async () => {
    const res = await s.call('/admin/queues');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('when an operator opens Bull Board, then everything the page loads is allowed by its CSP and no inline script runs', async () => {
    const auth = Buffer.from(`${s.config.ADMIN_USERNAME}:${s.config.ADMIN_PASSWORD}`).toString(
      'base64',
    );
    const res = await s.call('/admin/queues', { headers: { Authorization: `Basic ${auth}` } });
    expect(res.status).toBe(200);
    const html = res.text;
    // Inline <script> elements must be data blocks (not executed, so not governed by script-src).
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      const attrs = m[1] ?? '';
      if (/\bsrc=/.test(attrs)) {
        expect(attrs).toMatch(/src="(?!https?:|\/\/)/); // same-origin, relative to <base>
      } else {
        expect(attrs).toMatch(/type="application\/json"/);
      }
    }
    for (const m of html.matchAll(/<link\b[^>]*href="([^"]+)"[^>]*>/gi)) {
      const href = m[1] ?? '';
      expect(
        href.startsWith('https://fonts.googleapis.com/') || !/^(https?:)?\/\//.test(href),
        href,
      ).toBe(true);
    }
    const asset = /src="(static\/js\/[^"]+)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await s.call(`/admin/queues/${asset}`, {
      headers: { Authorization: `Basic ${auth}` },
    });
    expect(js.status).toBe(200);
    expect(js.headers.ratelimit).toBeUndefined(); // static assets do not spend the admin budget
  });

  it.each([
    ['its page', '/admin/queues'],
    ['a queue page', '/admin/queues/queue/webhooks'],
    ['its queues API', '/admin/queues/api/queues?activeQueue=webhooks&page=1'],
    ['a 404 under it', '/admin/queues/api/no-such-endpoint'],
  ])(
    'when Bull Board answers %s, then no X-Powered-By is sent and the security headers are',
    async (_name, path) => {
      const auth = Buffer.from(`${s.config.ADMIN_USERNAME}:${s.config.ADMIN_PASSWORD}`).toString(
        'base64',
      );
      const res = await s.call(path, { headers: { Authorization: `Basic ${auth}` } });
      expect(res.status).toBeLessThan(500);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{8,}/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('when a Bull Board static asset is served, then no X-Powered-By is sent', async () => {
    const auth = Buffer.from(`${s.config.ADMIN_USERNAME}:${s.config.ADMIN_PASSWORD}`).toString(
      'base64',
    );
    const page = await s.call('/admin/queues', { headers: { Authorization: `Basic ${auth}` } });
    const asset = /src="(static\/js\/[^"]+)"/.exec(page.text)?.[1];
    expect(asset).toBeDefined();
    const js = await s.call(`/admin/queues/${asset}`, {
      headers: { Authorization: `Basic ${auth}` },
    });
    expect(js.status).toBe(200);
    expect(js.headers['x-powered-by']).toBeUndefined();
  });
});

describe('CORS', () => {
  let s: SecureApi;
  beforeAll(async () => {
    s = await startSecureApi({ CORS_ORIGINS: `${FRONTEND},https://admin.example.com` });
  });
  afterAll(async () => {
    await s.close();
  });

  const preflight = (origin: string, path = '/api/v1/store/someone') =>
    s.call(path, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,authorization',
      },
    });

  it('when an allowed origin sends a preflight, then it is approved for that origin only', async () => {
    const res = await preflight(FRONTEND);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain(
      'authorization',
    );
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('when an allowed origin makes a request, then the rate-limit, refresh and request-id headers are exposed', async () => {
    const res = await s.call('/api/v1/store/someone', { headers: { Origin: FRONTEND } });
    expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
    const exposed = String(res.headers['access-control-expose-headers']);
    for (const h of [
      'RateLimit',
      'RateLimit-Policy',
      'Retry-After',
      'X-Refreshed-Token',
      'X-Request-Id',
    ]) {
      expect(exposed).toContain(h);
    }
    expect(String(res.headers.vary)).toContain('Origin');
  });

  it.each([
    'https://evil.example',
    'null',
    'https://shop.example.com.evil.example',
    'http://shop.example.com',
  ])(
    'when origin %s sends a preflight, then it fails with 403 JSON and no CORS headers',
    async (origin) => {
      const res = await preflight(origin);
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe('CORS_ORIGIN_DENIED');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
    },
  );

  it('when a disallowed origin makes a simple request, then the response carries no CORS headers', async () => {
    const res = await s.call('/api/v1/store/someone', {
      headers: { Origin: 'https://evil.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-expose-headers']).toBeUndefined();
  });

  it('when even an allowed origin calls the webhook endpoint, then no CORS is offered', async () => {
    const res = await preflight(FRONTEND, '/api/v1/webhooks/razorpay');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
