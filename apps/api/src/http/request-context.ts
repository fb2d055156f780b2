import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithContext } from '@storefront/shared';

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Gives every request an id (a safe incoming `X-Request-Id` or a new UUID) and a log context. */
export function requestContext(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    runWithContext({ requestId }, next);
  };
}
