import http from 'node:http';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startTestApi } from './api-harness.ts';

describe('startCheckedApi', () => {
  it('when a checked API has closed, then a server that gets its port later is not held to the API contract', async () => {
    const api = await startTestApi();
    const { port } = new URL(api.url);
    await api.close();

    // Another test file in this process may be given the same port next.
    const other = http.createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ not: 'the API' }));
    });
    other.listen(Number(port), '127.0.0.1');
    await once(other, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/anything`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ not: 'the API' });
    } finally {
      other.close();
    }
  });
});
