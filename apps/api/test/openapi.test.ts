import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '@storefront/devstack/test-harness';
import { startCheckedApi } from '@storefront/test-support';
import type { RunningApi } from '../src/server.ts';
import { buildOpenApiDocument } from '../src/openapi/openapi-document.ts';

describe('GET /api/v1/openapi.json', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startCheckedApi(testConfig());
  });
  afterAll(async () => {
    await api.close();
  });

  it('when fetched, then it serves the generated OpenAPI 3.1 document as JSON', async () => {
    const res = await fetch(`${api.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as { openapi: string };
    expect(doc.openapi).toBe('3.1.1');
    expect(doc).toEqual(buildOpenApiDocument());
  });
});

describe('GET /api/docs', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startCheckedApi(testConfig());
  });
  afterAll(async () => {
    await api.close();
  });

  it('when fetched, then the page loads only our own scripts under its own CSP', async () => {
    const res = await fetch(`${api.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]);
    expect(scripts).toEqual(['/api/docs/swagger-ui-bundle.js', '/api/docs/docs-init.js']);
    expect(html).not.toMatch(/<script>/);
    for (const src of [...scripts, '/api/docs/swagger-ui.css']) {
      const asset = await fetch(`${api.url}${src}`);
      expect(asset.status, src).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, src).toBeGreaterThan(100);
    }
  });

  it('when an unknown asset is asked for, then it is a 404 and the API keeps its own CSP', async () => {
    const res = await fetch(`${api.url}/api/docs/index.html`);
    expect(res.status).toBe(404);
    const api404 = await fetch(`${api.url}/api/v1/nope`);
    expect(api404.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
  });
});
