// The part of the contract check every test file loads (contract-setup.ts): it wraps `fetch` and
// knows which origins are APIs under test. The check itself (contract.ts: the OpenAPI document,
// built from the API's schemas, and ajv) is imported on the first response from such an API, so
// test files that never start an API do not pay for loading the API package.

import { realFetch } from './real-fetch.ts';

const apiOrigins = new Set<string>();

/**
 * Marks `url`'s origin as an API under test, so watchApiFetches() checks direct fetches to it, until
 * the returned function is called (when that API has closed: a later server of another test file
 * in this process can get the same port, and must not be held to the API's contract).
 */
export function watchApiOrigin(url: string): () => void {
  const origin = new URL(url).origin;
  apiOrigins.add(origin);
  return () => {
    apiOrigins.delete(origin);
  };
}

// Only JSON bodies are read for the check of a direct fetch: a test may stream or abort anything
// else.
async function jsonText(res: Response): Promise<string> {
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return json ? res.clone().text() : '';
}

/**
 * Wraps the global `fetch` (a vitest setup file calls this) so that tests calling an API under
 * test (watchApiOrigin) with `fetch` directly are held to the contract like contractFetch().
 */
export function watchApiFetches(): void {
  globalThis.fetch = async (input, init) => {
    const res = await realFetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!apiOrigins.has(new URL(url).origin)) return res;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const { enforceContract } = await import('./contract.ts');
    enforceContract(method, url, res, await jsonText(res));
    return res;
  };
}
