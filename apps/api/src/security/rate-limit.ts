import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import { ServiceUnavailableError, TooManyRequestsError } from '@storefront/shared';
import type { ApiDeps } from '../deps.ts';
import { clientKey } from './client-identity.ts';
import { creatorTokenPeek } from './creator-token-peek.ts';
import { RateLimitStoreError, ResilientRedisStore } from './rate-limit-store.ts';

/** What a limiter needs from the API's dependencies. */
export type RateLimitDeps = Pick<ApiDeps, 'config' | 'redis' | 'metrics' | 'logger'>;

const WINDOW_MS = 60_000;

interface LimiterSpec {
  /** Policy name in the RateLimit headers and the Redis key prefix (`rl:<name>:`). */
  name: string;
  limit: Options['limit'];
  keyGenerator: Options['keyGenerator'];
  identifier?: Options['identifier'];
}

function buildLimiter(deps: RateLimitDeps, spec: LimiterSpec): RequestHandler {
  const { logger } = deps;
  const limiter = rateLimit({
    windowMs: WINDOW_MS,
    limit: spec.limit,
    identifier: spec.identifier ?? spec.name,
    // One Redis round trip per request: a single EVALSHA that increments and reads the TTL.
    store: new ResilientRedisStore({
      redis: deps.redis,
      prefix: `rl:${spec.name}:`,
      name: spec.name,
      metrics: deps.metrics,
      logger,
    }),
    keyGenerator: spec.keyGenerator,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json(new TooManyRequestsError('Too many requests, slow down').toBody());
    },
    logger: {
      error: (err, message) => logger.error(message ?? 'rate limiter error', { err }),
      warn: (err, message) => logger.warn(message ?? 'rate limiter warning', { err }),
    },
    // X-Forwarded-For without a trusted proxy is exactly the spoofing attempt we ignore on
    // purpose (see trust-proxy.ts), not a misconfiguration worth a log line.
    validate: { xForwardedForHeader: false, forwardedHeader: false },
  });
  const closed = deps.config.RATE_LIMIT_ON_REDIS_ERROR === 'closed';
  return (req, res, next) => {
    void limiter(req, res, (err?: unknown) => {
      if (err instanceof RateLimitStoreError) {
        if (!closed) {
          next();
          return;
        }
        res.setHeader('Retry-After', '5');
        next(new ServiceUnavailableError('Rate limiting is unavailable; try again shortly', err));
        return;
      }
      next(err);
    });
  };
}

/** 100 requests/min (RATE_LIMIT_PUBLIC_PER_MIN) per client address: storefront, checkout, login. */
export function publicLimiter(deps: RateLimitDeps): RequestHandler {
  return buildLimiter(deps, {
    name: 'public',
    limit: deps.config.RATE_LIMIT_PUBLIC_PER_MIN,
    keyGenerator: clientKey,
  });
}

interface CreatorLocals {
  creator?: { id?: unknown };
  rateLimitCreatorId?: string;
}

/**
 * 300 requests/min (RATE_LIMIT_AUTH_PER_MIN) per creator on authenticated routes. The creator is
 * `res.locals.creator` when authentication already ran, else the verified bearer token; a
 * request with no valid token is limited by client address at the public rate.
 */
export function authLimiter(deps: RateLimitDeps): RequestHandler {
  const peek = creatorTokenPeek(deps.config);
  const creatorOf = (res: Response): string | undefined =>
    (res.locals as CreatorLocals).rateLimitCreatorId;
  const limiter = buildLimiter(deps, {
    name: 'auth',
    limit: (_req, res) =>
      creatorOf(res) === undefined
        ? deps.config.RATE_LIMIT_PUBLIC_PER_MIN
        : deps.config.RATE_LIMIT_AUTH_PER_MIN,
    identifier: (_req, res) => (creatorOf(res) === undefined ? 'auth-anonymous' : 'auth'),
    keyGenerator: (req, res) => {
      const id = creatorOf(res);
      return id === undefined ? `ip:${clientKey(req)}` : `creator:${id}`;
    },
  });
  return (req, res, next) => {
    const locals = res.locals as CreatorLocals;
    const known = locals.creator?.id;
    if (typeof known === 'string' || typeof known === 'number') {
      locals.rateLimitCreatorId = String(known);
      limiter(req, res, next);
      return;
    }
    void peek(req).then((id) => {
      if (id !== undefined) locals.rateLimitCreatorId = id;
      limiter(req, res, next);
    }, next);
  };
}

/** RATE_LIMIT_WEBHOOK_PER_MIN per sender address: Razorpay's senders each get the full budget. */
export function webhookLimiter(deps: RateLimitDeps): RequestHandler {
  return buildLimiter(deps, {
    name: 'webhook',
    limit: deps.config.RATE_LIMIT_WEBHOOK_PER_MIN,
    keyGenerator: clientKey,
  });
}

/** RATE_LIMIT_ADMIN_PER_MIN per client address on the admin API and Bull Board. */
export function adminLimiter(deps: RateLimitDeps): RequestHandler {
  return buildLimiter(deps, {
    name: 'admin',
    limit: deps.config.RATE_LIMIT_ADMIN_PER_MIN,
    keyGenerator: clientKey,
  });
}

const UNLIMITED = /^\/(?:healthz|readyz|metrics)\/?$/i;
const WEBHOOKS = /^\/api\/v1\/webhooks(?:\/|$)/i;
const ADMIN = /^\/(?:api\/v1\/)?admin(?:\/|$)/i;
const BOARD_STATIC = /^\/admin\/queues\/static\//i;
const AUTHENTICATED = /^\/api\/v1\/me(?:\/|$)/i;

/**
 * Sends each request through exactly one limiter chosen by path (so one Redis round trip at
 * most): webhooks, admin (API and Bull Board; the board's static assets are free), the
 * authenticated `/api/v1/me` tree, and the public limiter for everything else. Health checks
 * and metrics are never limited: orchestrators and Prometheus must always get through.
 */
export function rateLimits(deps: RateLimitDeps): RequestHandler {
  const pub = publicLimiter(deps);
  const auth = authLimiter(deps);
  const webhook = webhookLimiter(deps);
  const admin = adminLimiter(deps);
  return (req: Request, res, next) => {
    const path = req.path;
    if (UNLIMITED.test(path) || BOARD_STATIC.test(path)) return next();
    if (WEBHOOKS.test(path)) return webhook(req, res, next);
    if (ADMIN.test(path)) return admin(req, res, next);
    if (AUTHENTICATED.test(path)) return auth(req, res, next);
    return pub(req, res, next);
  };
}
