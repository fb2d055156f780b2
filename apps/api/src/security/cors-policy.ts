import type { RequestHandler } from 'express';
import cors from 'cors';
import { AppError } from '@storefront/shared';

const EXPOSED_HEADERS = [
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'X-Refreshed-Token',
  'X-Request-Id',
  'ETag',
];

// Server-to-server callers never need CORS; a browser has no business calling these.
const NO_CORS = /^\/(?:api\/v1\/webhooks|healthz|readyz|metrics)(?:\/|$)/i;

/**
 * CORS for the configured front-end origins only (CORS_ORIGINS, exact match). A disallowed
 * origin gets no CORS headers, and its preflight a 403 JSON error, so the browser blocks the
 * call. Tokens travel in the Authorization header, not cookies, so credentials stay off.
 */
export function corsPolicy(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const allow = cors({
    origin: true, // reflect: only reached for origins in `allowed`
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'X-File-Name',
      'X-Request-Id',
      'If-None-Match',
    ],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  return (req, res, next) => {
    if (NO_CORS.test(req.path)) return next();
    // Every answer varies by Origin (shared caches must not hand one origin's answer to
    // another), with or without an Origin header. Nothing has set Vary this early, usually.
    if (res.getHeader('Vary') === undefined) res.setHeader('Vary', 'Origin');
    else res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    if (allowed.has(origin)) return allow(req, res, next);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      next(new AppError('CORS_ORIGIN_DENIED', 403, 'Origin not allowed'));
      return;
    }
    next();
  };
}
