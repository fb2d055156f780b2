import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { runWithContext } from '@storefront/shared';

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The request's id: its `X-Request-Id` when that is safe to echo and log, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/** Gives every request an id (a safe incoming `X-Request-Id` or a new UUID) and a log context. */
export function requestContext(): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdOf(req);
    res.setHeader('X-Request-Id', requestId);
    runWithContext({ requestId }, next);
  };
}
