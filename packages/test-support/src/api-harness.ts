// The general API harness: an API from startApi() on a database of its own, creator sign-up
// and authenticated calls over HTTP, and reads of the API's own metrics.
import { startApi, type RunningApi } from '@storefront/api';
import { testConfig, uniqueName } from '@storefront/devstack/test-harness';
import { request, type Dispatcher } from 'undici';
import { contractFetch, enforceContract } from './contract.ts';
import { watchApiOrigin } from './contract-watch.ts';
import { metricValue } from './prom-text.ts';

/**
 * startApi() whose answers are held to the API contract even when a test calls it with `fetch`
 * directly (watchApiOrigin): every API a test starts goes through here or startTestApi().
 */
export async function startCheckedApi(...args: Parameters<typeof startApi>): Promise<RunningApi> {
  const api = await startApi(...args);
  const unwatch = watchApiOrigin(api.url);
  const close = api.close;
  // Once closed, its port is free for whatever listens next in this process.
  api.close = () => close().finally(unwatch);
  return api;
}

/**
 * Starts an API on its own database and key prefix (or on `name`'s, to run a second process
 * over the same data), with rate limits out of the way and the storefront cache subscribed.
 */
export async function startTestApi(
  overrides: Record<string, string | undefined> = {},
  name: string = uniqueName('sf'),
): Promise<RunningApi> {
  const api = await startCheckedApi(
    testConfig(
      { RATE_LIMIT_PUBLIC_PER_MIN: '1000000', RATE_LIMIT_AUTH_PER_MIN: '1000000', ...overrides },
      name,
    ),
  );
  if (!(await api.services.storeCache.whenReady())) throw new Error('store cache never subscribed');
  return api;
}

/** A creator signed up over HTTP: credentials and a session token. */
export interface TestCreator {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
}

/** Signs up a fresh creator over HTTP. */
export async function signup(
  api: RunningApi,
  fields: Record<string, unknown> = {},
): Promise<TestCreator> {
  const username =
    (fields.username as string | undefined) ?? uniqueName('c').replace(/_/g, '-').slice(0, 30);
  const body = {
    email: `${username}@example.com`,
    password: 'correct-horse-battery',
    username,
    displayName: `Creator ${username}`,
    ...fields,
  };
  const res = await contractFetch(`${api.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { token: string; creator: { id: string; username: string } };
  return {
    id: json.creator.id,
    username: json.creator.username,
    email: body.email,
    password: body.password,
    token: json.token,
  };
}

/** Calls the API with a creator's token and a JSON body; the answer is checked against the contract. */
export async function call(
  api: RunningApi,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return contractFetch(`${api.url}${path}`, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
}

/** A response read whole: status, lower-cased headers, the text and the parsed JSON (if JSON). */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/**
 * Any request `fetch` will not send (a body on a GET, a custom TLS trust through `dispatcher`),
 * checked against the contract like call().
 */
export async function callRaw(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    dispatcher?: Dispatcher;
  } = {},
): Promise<RawResponse> {
  const method = opts.method ?? 'GET';
  const res = await request(url, {
    method: method,
    headers: opts.headers,
    body: opts.body,
    ...(opts.dispatcher && { dispatcher: opts.dispatcher }),
  });
  const text = await res.body.text();
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    for (const one of [v ?? []].flat()) headers.append(k, one);
  }
  enforceContract(method, url, { status: res.statusCode, headers }, text);
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** The `error.code` of a JSON error response, or undefined. */
export function errorCode(res: { json: unknown }): string | undefined {
  const body = res.json as { error?: { code?: unknown } } | undefined;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}

/** Sum of a metric's samples in the API's registry whose labels include `labels`. */
export async function metric(
  api: RunningApi,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return metricValue(await api.deps.metrics.metrics(), name, labels);
}

/** storefront_requests_total per tier (all results). */
export async function tiers(
  api: RunningApi,
): Promise<Record<'memory' | 'redis' | 'coalesced' | 'mongo', number>> {
  return {
    memory: await metric(api, 'storefront_requests_total', { tier: 'memory' }),
    redis: await metric(api, 'storefront_requests_total', { tier: 'redis' }),
    coalesced: await metric(api, 'storefront_requests_total', { tier: 'coalesced' }),
    mongo: await metric(api, 'storefront_requests_total', { tier: 'mongo' }),
  };
}
