import type { z } from 'zod';
import type { ResponseSpec } from './operation.ts';
import { errorResponse } from './response.schemas.ts';

// Building blocks of the operation tables: the error statuses (all in the one envelope) and the
// headers each kind of answer carries.

export const RATE = ['RateLimit', 'RateLimit-Policy'] as const;
export const CREATOR = ['X-Refreshed-Token'] as const;

export const err = (description: string, headers: readonly string[] = RATE): ResponseSpec => ({
  description,
  body: errorResponse,
  headers,
});
export const E400 = err('The request is invalid (body, query, parameters or headers)');
export const E401 = err('Missing, invalid or expired credentials');
export const E404 = err('Not found');
export const E409 = err('Conflicts with the current state');
export const E413 = err('The body is too large');
export const E415 = err('The media type is not accepted');
export const E429 = err('Too many requests', [...RATE, 'Retry-After']);
export const E500 = err('Unexpected error (details.errorId names it in the logs)');
export const E502 = err('Razorpay answered with an error');
export const E503 = err(
  'A dependency is unavailable (storage, Razorpay, or Redis while rate limits fail closed); retry later',
  [...RATE, 'Retry-After'],
);

// What the layers in front of the routes can answer (app.ts): the query guard runs on every
// request (400); the rate limiter on all but health, readiness, metrics and page assets (429, and
// 503 with RATE_LIMIT_ON_REDIS_ERROR=closed while Redis is down); the JSON body layer on every
// route mounted after the health routes, except those reading their own body (400 malformed,
// 413, 415).
export const guarded = { 400: E400 };
export const limited = { 429: E429, 503: E503 };
export const bodyLayer = { 413: E413, 415: E415 };
export const layers = { ...guarded, ...bodyLayer, ...limited };
/** Routes whose services reach MongoDB unwrapped: an unexpected failure there is a 500. */
export const common = { ...layers, 500: E500 };
export const creatorCommon = { ...common, 401: E401 };
/** Creator routes on a path that reads its own body (json-body.ts OWN_BODY) but takes none. */
export const ownBodyCreatorCommon = { ...guarded, ...limited, 500: E500, 401: E401 };

export const ok = (description: string, body: z.ZodType, headers: readonly string[] = RATE) => ({
  description,
  body,
  headers,
});
export const noContent: ResponseSpec = { description: 'Done', headers: [...RATE, ...CREATOR] };
