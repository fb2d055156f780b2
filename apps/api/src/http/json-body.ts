import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '@storefront/shared';
import { findHostileInput } from '../security/input-guard.ts';

// Paths that read their own body: webhooks need the raw bytes for the signature check, uploads
// stream the file, image uploads read the raw image.
// Case-insensitive like Express routing, so `/API/V1/...` cannot reach a route with the wrong parser.
const OWN_BODY = [
  /^\/api\/v1\/webhooks\//i,
  /^\/api\/v1\/me\/products\/[^/]+\/file\/?$/i,
  /^\/api\/v1\/me\/products\/[^/]+\/image\/?$/i,
  /^\/api\/v1\/me\/avatar\/?$/i,
];

/** True when the request has no body: neither Transfer-Encoding nor Content-Length. */
export function hasNoBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] === undefined && req.headers['content-length'] === undefined
  );
}

/**
 * JSON bodies for the API: size-limited, and a request that carries a body in any other
 * content type gets 415 instead of being silently ignored. A parsed body carrying MongoDB
 * operator keys, prototype keys or card data is rejected with 400 before any route sees it.
 */
export function jsonBody(opts: { limit: string }): RequestHandler {
  const parse = express.json({
    limit: opts.limit,
    type: ['application/json', 'application/*+json'],
  });
  return (req, res, next) => {
    // No body at all (most GETs): what the parser would do, without its per-request work.
    if (hasNoBody(req)) {
      if (!('body' in (req as object))) (req as { body?: unknown }).body = undefined;
      return next();
    }
    if (OWN_BODY.some((re) => re.test(req.path))) return next();
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== '0';
    if (hasBody && !req.is(['application/json', 'application/*+json'])) {
      return next(new UnsupportedMediaTypeError('Request body must be application/json'));
    }
    parse(req, res, (err?: unknown) => {
      if (err !== undefined) return next(err);
      next(findHostileInput(req.body));
    });
  };
}
