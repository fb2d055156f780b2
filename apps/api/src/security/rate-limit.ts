import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import {
  getOrCreateMetric,
  promClient,
  ServiceUnavailableError,
  TooManyRequestsError,
} from '@storefront/shared';
import type { ApiDeps } from '../deps.ts';
import { rateLimitPolicyFor } from './rate-limit-policy.ts';
import { memoizedClientKey } from './client-identity.ts';
import { creatorTokenPeek } from './creator-token-peek.ts';
import { RateLimitCounter, type CounterEntry } from './rate-limit-counter.ts';

/** What the limiters need from the API's dependencies (`onClose` flushes counts at shutdown). */
export type RateLimitDeps = Pick<ApiDeps, 'config' | 'redis' | 'metrics' | 'logger'> &
  Partial<Pick<ApiDeps, 'onClose'>>;

const WINDOW_MS = 60_000;
const WINDOW_SECONDS = WINDOW_MS / 1000;
/** How often counts go to Redis in the background (see docs/security.md on the bound it gives). */
export const RATE_LIMIT_FLUSH_MS = 100;
/**
 * A request is decided from this process's view alone while the key's count stays below this
 * share of its limit; past it, each request waits for a flush to learn the exact shared count.
 */
export const RATE_LIMIT_LOCAL_SHARE = 0.5;

const TOO_MANY = new TooManyRequestsError('Too many requests, slow down').toBody();

/**
 * Draft 8's partition key (`pk`), an opaque name of the client's quota, as express-rate-limit
 * shapes it (base64 of 12 hex digits) but keyed. express-rate-limit hashes the key with plain
 * SHA-256, which gives an IPv4 address back to anyone who hashes all 2^32 of them: a header that a
 * shared cache replays to another buyer, or that ends up in a log or a screenshot, would then
 * name the client's address. Here it is HMAC-SHA-256 under a key derived from JWT_SECRET (HKDF
 * with a label of its own): the same in every API process, meaningless without the secret.
 */
function partitionKeyOf(secret: string): (key: string) => string {
  // A KeyObject, not the Buffer: Node 24's createHmac spends 10–13 µs on a Buffer key (in its
  // checks for a KeyObject or CryptoKey) against 1.6 µs on a KeyObject (docs/performance.md). It
  // runs once per new client address, which in a drop is every buyer.
  const hmacKey = createSecretKey(
    Buffer.from(hkdfSync('sha256', secret, '', 'storefront rate-limit partition key', 32)),
  );
  return (key) => {
    const hex = createHmac('sha256', hmacKey).update(key).digest('hex').slice(0, 12);
    return Buffer.from(hex).toString('base64');
  };
}

/** The RateLimit-Policy header of a key (draft 8), built once per key and window. */
function policyOf(name: string, limit: number, pk: string): string {
  return `"${name}"; q=${limit}; w=${WINDOW_SECONDS}; pk=:${pk}:`;
}

/** Whole seconds until `e`'s window ends. */
function secondsLeft(e: CounterEntry): number {
  return Math.max(0, Math.ceil((e.resetAt - Date.now()) / 1000));
}

/** The RateLimit header for a request that brought `e`'s count to `total`. */
function rateLimitValue(name: string, e: CounterEntry, limit: number, total: number): string {
  const remaining = total >= limit ? 0 : limit - total;
  return `"${name}"; r=${remaining}; t=${secondsLeft(e)}`;
}

/** Requests counted for `e` so far in this window, as this process knows them. */
function seenOf(e: CounterEntry): number {
  return e.known + e.inflight + e.pending;
}

/** Whether this process decides alone: the count with this request stays within the local share. */
function decidedLocally(seen: number, limit: number): boolean {
  return seen + 1 <= limit * RATE_LIMIT_LOCAL_SHARE;
}

/** State shared by every limiter of one `rateLimits()` chain: one counter, one flush, one metric. */
interface LimiterContext {
  counter: RateLimitCounter;
  /** The client address key, memoized for this app's `trust proxy` setting. */
  clientKey: (req: Request) => string;
  closed: boolean;
  /** The `pk` of a key in RateLimit-Policy. */
  partitionKey: (key: string) => string;
  errors: promClient.Counter<'limiter'>;
  logFailure: (err: unknown) => void;
}

function limiterContext(deps: RateLimitDeps): LimiterContext {
  const { logger } = deps;
  const errors = getOrCreateMetric(
    deps.metrics,
    'rate_limit_redis_errors_total',
    () =>
      new promClient.Counter({
        name: 'rate_limit_redis_errors_total',
        help: 'Requests whose rate limit could not be checked because Redis failed',
        labelNames: ['limiter'],
        registers: [deps.metrics],
      }),
  );
  let lastLog = 0;
  const logFailure = (err: unknown): void => {
    const now = Date.now();
    if (now - lastLog > 10_000) {
      lastLog = now;
      logger.error('rate limit store error', { err });
    }
  };
  const counter = new RateLimitCounter({
    redis: deps.redis,
    windowMs: WINDOW_MS,
    flushMs: RATE_LIMIT_FLUSH_MS,
    onError: (err) => logFailure(err),
  });
  deps.onClose?.(() => counter.close());
  return {
    counter,
    clientKey: memoizedClientKey(),
    closed: deps.config.RATE_LIMIT_ON_REDIS_ERROR === 'closed',
    partitionKey: partitionKeyOf(deps.config.JWT_SECRET),
    errors,
    logFailure,
  };
}

interface LimiterSpec {
  /** Policy name in the RateLimit headers and the Redis key prefix (`rl:<name>:`). */
  name: string;
  limit: number | ((res: Response) => number);
  keyGenerator: (req: Request, res: Response) => string;
  /** The policy name when it depends on the request (`auth` / `auth-anonymous`). */
  identifier?: (res: Response) => string;
}

type Limiter = (req: Request, res: Response, next: (err?: unknown) => void) => void;

/** The Redis key prefix of a limiter's counters. */
function prefixOf(name: string): string {
  return `rl:${name}:`;
}

/**
 * The counter entry of `key`, with its RateLimit-Policy header cached on first use: a key's
 * policy name and limit do not change (auth keys for creators and for addresses differ by prefix).
 */
function entryFor(
  ctx: LimiterContext,
  prefix: string,
  name: string,
  limit: number,
  key: string,
): CounterEntry {
  const e = ctx.counter.entry(prefix + key, Date.now());
  if (e.policy === '') e.policy = policyOf(name, limit, ctx.partitionKey(key));
  return e;
}

/**
 * A fixed one-minute window per key, shared through Redis. Most requests are decided from this
 * process's count (the shared total as of the last flush plus what it counted since) without
 * waiting for Redis; a key at or past half its limit waits for a flush, so the refusal point is
 * exact up to other processes' last ~100 ms of unsent counts.
 */
function buildLimiter(ctx: LimiterContext, spec: LimiterSpec): Limiter {
  const { counter } = ctx;
  const fixedName = spec.name;
  const errors = ctx.errors.labels({ limiter: spec.name });
  const prefix = prefixOf(spec.name);

  const unavailable = (res: Response, next: (err?: unknown) => void, err?: unknown): void => {
    errors.inc();
    if (err !== undefined) ctx.logFailure(err);
    if (!ctx.closed) {
      next();
      return;
    }
    res.setHeader('Retry-After', '5');
    next(new ServiceUnavailableError('Rate limiting is unavailable; try again shortly', err));
  };

  const answer = (
    res: Response,
    next: (err?: unknown) => void,
    name: string,
    e: CounterEntry,
    limit: number,
    total: number,
  ): void => {
    if (res.headersSent) return;
    res.setHeader('RateLimit', rateLimitValue(name, e, limit, total));
    res.setHeader('RateLimit-Policy', e.policy);
    if (total > limit) {
      res.setHeader('Retry-After', String(secondsLeft(e)));
      res.status(429).json(TOO_MANY);
      return;
    }
    next();
  };

  return (req, res, next) => {
    if (!counter.available) {
      unavailable(res, next);
      return;
    }
    const limit = typeof spec.limit === 'number' ? spec.limit : spec.limit(res);
    const name = spec.identifier === undefined ? fixedName : spec.identifier(res);
    const e = entryFor(ctx, prefix, name, limit, spec.keyGenerator(req, res));
    const seen = seenOf(e);
    if (seen >= limit) {
      // Already refused in this window: no need to ask Redis, and refusals are not counted.
      answer(res, next, name, e, limit, seen + 1);
      return;
    }
    if (decidedLocally(seen, limit)) {
      counter.add(e);
      answer(res, next, name, e, limit, seen + 1);
      return;
    }
    counter.addAndWait(e, (err, total) => {
      if (err !== undefined) unavailable(res, next, err);
      else answer(res, next, name, e, limit, total);
    });
  };
}

/** 100 requests/min (RATE_LIMIT_PUBLIC_PER_MIN) per client address: storefront, checkout, login. */
function publicSpec(
  ctx: LimiterContext,
  deps: RateLimitDeps,
): LimiterSpec & { limit: number; keyGenerator: (req: Request) => string } {
  return {
    name: 'public',
    limit: deps.config.RATE_LIMIT_PUBLIC_PER_MIN,
    keyGenerator: ctx.clientKey,
  };
}

/**
 * The public limiter's decision for a request that this process can take alone, in two steps
 * so a caller can look before it commits: `check` counts nothing; `count` counts the request
 * and gives its RateLimit and RateLimit-Policy header values. Same spec, counter and helpers
 * as the public limiter above (it is the same counter): a request decided here is counted once.
 */
export interface PublicLocalLimiter {
  /** The request's counter entry when it is below the local share of its limit, else undefined. */
  check(req: Request): CounterEntry | undefined;
  count(e: CounterEntry): [rateLimit: string, policy: string];
}

function publicLocalLimiter(ctx: LimiterContext, deps: RateLimitDeps): PublicLocalLimiter {
  const { name, limit, keyGenerator } = publicSpec(ctx, deps);
  const prefix = prefixOf(name);
  return {
    check(req) {
      if (!ctx.counter.available) return undefined;
      const e = entryFor(ctx, prefix, name, limit, keyGenerator(req));
      return decidedLocally(seenOf(e), limit) ? e : undefined;
    },
    count(e) {
      ctx.counter.add(e);
      return [rateLimitValue(name, e, limit, seenOf(e)), e.policy];
    },
  };
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
function authLimiter(ctx: LimiterContext, deps: RateLimitDeps): Limiter {
  const peek = creatorTokenPeek(deps.config);
  const creatorOf = (res: Response): string | undefined =>
    (res.locals as CreatorLocals).rateLimitCreatorId;
  const limiter = buildLimiter(ctx, {
    name: 'auth',
    limit: (res) =>
      creatorOf(res) === undefined
        ? deps.config.RATE_LIMIT_PUBLIC_PER_MIN
        : deps.config.RATE_LIMIT_AUTH_PER_MIN,
    identifier: (res) => (creatorOf(res) === undefined ? 'auth-anonymous' : 'auth'),
    keyGenerator: (req, res) => {
      const id = creatorOf(res);
      return id === undefined ? `ip:${ctx.clientKey(req)}` : `creator:${id}`;
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
function webhookLimiter(ctx: LimiterContext, deps: RateLimitDeps): Limiter {
  return buildLimiter(ctx, {
    name: 'webhook',
    limit: deps.config.RATE_LIMIT_WEBHOOK_PER_MIN,
    keyGenerator: ctx.clientKey,
  });
}

/**
 * RATE_LIMIT_IMAGES_PER_MIN per client address on GET /img/: its own policy, so a buyer's page
 * of images never spends (or is refused by) the public budget; see docs/security.md, "Images".
 */
function imagesLimiter(ctx: LimiterContext, deps: RateLimitDeps): Limiter {
  return buildLimiter(ctx, {
    name: 'images',
    limit: deps.config.RATE_LIMIT_IMAGES_PER_MIN,
    keyGenerator: ctx.clientKey,
  });
}

/** RATE_LIMIT_ADMIN_PER_MIN per client address on the admin API and Bull Board. */
function adminLimiter(ctx: LimiterContext, deps: RateLimitDeps): Limiter {
  return buildLimiter(ctx, {
    name: 'admin',
    limit: deps.config.RATE_LIMIT_ADMIN_PER_MIN,
    keyGenerator: ctx.clientKey,
  });
}

/**
 * Sends each request through exactly one limiter, the one its path's policy names
 * (rate-limit-policy.ts), so one count per request. All limiters share one counter, whose
 * background flush carries every key changed since the last one.
 */
export function rateLimits(deps: RateLimitDeps): RequestHandler {
  return createRateLimits(deps).handler;
}

/** The API's rate limits: the middleware, and the public limiter's local path sharing its counter. */
export function createRateLimits(deps: RateLimitDeps): {
  handler: RequestHandler;
  publicLocal: PublicLocalLimiter;
} {
  const ctx = limiterContext(deps);
  const pub = buildLimiter(ctx, publicSpec(ctx, deps));
  const auth = authLimiter(ctx, deps);
  const webhook = webhookLimiter(ctx, deps);
  const admin = adminLimiter(ctx, deps);
  const images = imagesLimiter(ctx, deps);
  const handler: RequestHandler = (req: Request, res, next) => {
    switch (rateLimitPolicyFor(req.path)) {
      case 'public':
        return pub(req, res, next);
      case 'auth':
        return auth(req, res, next);
      case 'webhook':
        return webhook(req, res, next);
      case 'admin':
        return admin(req, res, next);
      case 'images':
        return images(req, res, next);
      case 'none':
        return next();
    }
  };
  return { handler, publicLocal: publicLocalLimiter(ctx, deps) };
}
