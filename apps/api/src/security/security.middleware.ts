import type { RequestHandler } from 'express';
import type { ApiDeps } from '../deps.ts';
import { chain } from '../http/middleware-chain.ts';
import { corsPolicy } from './cors-policy.ts';
import { queryGuard } from './input-guard.ts';
import { metricsAccess } from './metrics-access.ts';
import { rateLimits } from './rate-limit.ts';
import { securityHeaders } from './security-headers.ts';

// Express matches routes case-insensitively and with an optional trailing slash; so must we.
const METRICS_PATH = /^\/metrics\/?$/i;

/**
 * The API's cross-cutting security chain, in order: headers on every response, CORS, the
 * `/metrics` access check, rate limits (one limiter per request), and the query-string guard.
 * JSON bodies are checked by the same guard after parsing (http/json-body.ts). One Express
 * layer (see http/middleware-chain.ts).
 */
export function securityMiddleware(
  deps: Pick<ApiDeps, 'config' | 'redis' | 'metrics' | 'logger'> &
    Partial<Pick<ApiDeps, 'onClose'>>,
  /** The rate-limit middleware, when the caller built it (to share its counter); else one is made. */
  limits: RequestHandler = rateLimits(deps),
): RequestHandler {
  const metricsGuard = metricsAccess(deps.config.METRICS_TOKEN);
  return chain(
    securityHeaders(),
    corsPolicy(deps.config.CORS_ORIGINS),
    (req, res, next) => (METRICS_PATH.test(req.path) ? metricsGuard(req, res, next) : next()),
    limits,
    queryGuard(),
  );
}
