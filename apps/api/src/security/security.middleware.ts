import type { RequestHandler } from 'express';
import type { ApiDeps } from '../deps.ts';
import { corsPolicy } from './cors-policy.ts';
import { queryGuard } from './input-guard.ts';
import { metricsAccess } from './metrics-access.ts';
import { securityHeaders } from './security-headers.ts';

// Express matches routes case-insensitively and with an optional trailing slash; so must we.
const METRICS_PATH = /^\/metrics\/?$/i;

/**
 * The API's cross-cutting security handlers, in order: headers on every response, CORS, the
 * `/metrics` access check, rate limits (`limits`, built by the caller so the storefront's hot
 * path shares its counter; one limiter per request), and the query-string guard. JSON bodies
 * are checked by the same guard after parsing (http/json-body.ts). app.ts runs them in its one
 * cross-cutting layer (see http/middleware-chain.ts).
 */
export function securityMiddleware(
  deps: Pick<ApiDeps, 'config'>,
  limits: RequestHandler,
): RequestHandler[] {
  const metricsGuard = metricsAccess(deps.config.METRICS_TOKEN);
  return [
    securityHeaders(),
    corsPolicy(deps.config.CORS_ORIGINS),
    (req, res, next) => (METRICS_PATH.test(req.path) ? metricsGuard(req, res, next) : next()),
    limits,
    queryGuard(),
  ];
}
