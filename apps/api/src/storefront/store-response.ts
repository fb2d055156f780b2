import type { OutgoingHttpHeaders } from 'node:http';
import { hash } from 'node:crypto';
import { USERNAME_PATTERN } from '@storefront/shared';

/** Where storefronts are served: the Express route pattern, and the prefix of its paths. */
export const STOREFRONT_ROUTE = '/api/v1/store/:username';
export const STOREFRONT_PREFIX = '/api/v1/store/';

/** What to write: a status, the storefront's own headers as a flat `[name, value, …]` list, a body. */
export interface StoreAnswer {
  readonly status: number;
  readonly headers: readonly string[];
  readonly body: Buffer | undefined;
}

/** A storefront answer ready to write: the body bytes and every header, computed once per fill. */
export interface StoreResponse extends StoreAnswer {
  readonly status: 200 | 404;
  readonly body: Buffer;
  /** Strong ETag over `body` (empty for 404). */
  readonly etag: string;
  /** The 304 answer to a matching If-None-Match (a 200 has one; a 404 has no ETag). */
  readonly notModified?: StoreAnswer;
}

function flat(headers: Record<string, string>): string[] {
  return Object.entries(headers).flat();
}

/** The answer to write for `r`: its 304 when `ifNoneMatch` matches its ETag, else `r` itself. */
export function answerFor(r: StoreResponse, ifNoneMatch: string | undefined): StoreAnswer {
  return r.notModified !== undefined &&
    ifNoneMatch !== undefined &&
    etagMatches(ifNoneMatch, r.etag)
    ? r.notModified
    : r;
}

// Clients and shared caches may keep a copy but must revalidate every time: a 304 costs little,
// and nobody serves a storefront past an update.
const CACHE_CONTROL = 'public, max-age=0, must-revalidate';
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

/**
 * A 200 response for serialized storefront JSON, or (with `type` and `extra` headers) a page
 * rendered from it. `extra` goes on the 304 too: a browser updates its stored headers from a
 * 304, so a page's own Content-Security-Policy must survive revalidation.
 */
export function foundResponse(
  body: Buffer,
  type: string = JSON_TYPE,
  extra: Record<string, string> = {},
): StoreResponse {
  const etag = `"${hash('sha1', body, 'base64url')}"`;
  return {
    status: 200,
    body,
    etag,
    headers: flat({
      'content-type': type,
      'content-length': String(body.length),
      etag,
      'cache-control': CACHE_CONTROL,
      ...extra,
    }),
    notModified: {
      status: 304,
      headers: flat({ etag, 'cache-control': CACHE_CONTROL, ...extra }),
      body: undefined,
    },
  };
}

function errorResponse(status: 404, code: string, message: string): StoreResponse {
  const body = Buffer.from(JSON.stringify({ error: { code, message } }));
  const headers = flat({
    'content-type': JSON_TYPE,
    'content-length': String(body.length),
    'cache-control': CACHE_CONTROL,
  });
  return { status, body, etag: '', headers };
}

/** A rendered HTML page (200, with ETag and 304 like the JSON) with its own `extra` headers. */
export function htmlResponse(html: string, extra: Record<string, string>): StoreResponse {
  return foundResponse(Buffer.from(html), HTML_TYPE, extra);
}

/** A rendered HTML page answered with 404 (no ETag, like the JSON 404). */
export function htmlNotFoundResponse(html: string, extra: Record<string, string>): StoreResponse {
  const body = Buffer.from(html);
  const headers = flat({
    'content-type': HTML_TYPE,
    'content-length': String(body.length),
    'cache-control': CACHE_CONTROL,
    ...extra,
  });
  return { status: 404, body, etag: '', headers };
}

/** The one answer for every unknown username (shared, so negative entries cost no bytes). */
export const NOT_FOUND_RESPONSE = errorResponse(404, 'NOT_FOUND', 'Storefront not found');

const invalidBody = Buffer.from(
  JSON.stringify({
    error: {
      code: 'VALIDATION_ERROR',
      message: 'Invalid username',
      details: [{ path: 'username', message: `must match ${USERNAME_PATTERN.source}` }],
    },
  }),
);

/** Body and headers of the 400 for a name that cannot be a username. */
export const INVALID_USERNAME_RESPONSE = {
  status: 400,
  body: invalidBody,
  headers: {
    'content-type': JSON_TYPE,
    'content-length': String(invalidBody.length),
    'cache-control': 'no-store',
  } satisfies OutgoingHttpHeaders,
} as const;

/**
 * The cache key for a requested name: lowercased (usernames are stored lowercase), or undefined
 * when it cannot be a username, so junk never reaches Redis or MongoDB.
 */
export function normalizeUsername(raw: string): string | undefined {
  const u = raw.length > 30 ? raw : raw.toLowerCase();
  return USERNAME_PATTERN.test(u) ? u : undefined;
}

/** RFC 9110 If-None-Match (weak comparison) against a strong ETag. */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch === etag) return true;
  for (const part of ifNoneMatch.split(',')) {
    let tag = part.trim();
    if (tag === '*') return true;
    if (tag.startsWith('W/')) tag = tag.slice(2);
    if (tag === etag) return true;
  }
  return false;
}
