import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '@storefront/devstack/test-harness';
import { startApi, type RunningApi } from '../src/server.ts';
import { buildOpenApiDocument } from '../src/openapi/openapi-document.ts';

describe('GET /api/v1/openapi.json', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi(testConfig());
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
