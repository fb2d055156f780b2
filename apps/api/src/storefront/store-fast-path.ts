import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { ObserveRequest } from '../http/http-metrics.ts';
import { hasNoBody } from '../http/json-body.ts';
import { requestIdOf } from '../http/request-context.ts';
import type { PublicLocalLimiter } from '../security/rate-limit.ts';
import type { StoreCache } from './store-cache.service.ts';
import {
  answerFor,
  normalizeUsername,
  STOREFRONT_PREFIX,
  STOREFRONT_ROUTE,
} from './store-response.ts';

export interface StoreFastPathOptions {
  cache: StoreCache;
  limiter: PublicLocalLimiter;
  /** The security headers every API response carries (security-headers.ts), flat. */
  securityHeaders: readonly string[];
  observe: ObserveRequest;
  /** Called for each response this path writes (a metric: the share answered before Express). */
  onServed: () => void;
  isShuttingDown: () => boolean;
}

/**
 * The storefront's hot path, before Express: a plain `GET /api/v1/store/<name>` whose answer is
 * in this process's memory tier is written with one `writeHead` — the same status, body and
 * headers the Express route gives (security headers, `Vary: Origin`, `X-Request-Id`, the public
 * rate limit's headers and count, the storefront's own), and the same metrics — without the
 * router, the middleware chain or a header validated twice. Returns false, having written and
 * counted nothing, for anything else; Express then answers it as before:
 * another method, a query string, percent-encoding, a trailing slash or other path shapes, an
 * `Origin` (CORS), a body, a draining server, a memory miss, and a client the limiter cannot
 * decide alone (Redis down, or at half its limit or more: those wait for the shared count).
 * apps/api/test/storefront/store-fast-path.test.ts checks that both paths answer alike.
 */
export function storefrontFastPath(
  opts: StoreFastPathOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { cache, limiter, observe, onServed, isShuttingDown } = opts;
  const fixed = [...opts.securityHeaders, 'Vary', 'Origin'];
  return (req, res) => {
    const start = performance.now();
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || !url.startsWith(STOREFRONT_PREFIX)) {
      return false;
    }
    if (req.headers.origin !== undefined || !hasNoBody(req) || isShuttingDown()) return false;
    // Only a bare name: '/', '?' and '%' cannot pass the username pattern.
    const username = normalizeUsername(url.slice(STOREFRONT_PREFIX.length));
    if (username === undefined) return false;
    // Requests reach here with Express's request prototype (http/server-classes.ts): the limiter
    // resolves the client address with the app's `trust proxy` setting, as on the Express path.
    const entry = limiter.check(req as Request);
    if (entry === undefined) return false;
    const hit = cache.peek(username);
    if (hit === undefined) return false;
    const [rateLimit, policy] = limiter.count(entry);

    const answer = answerFor(hit, req.headers['if-none-match']);
    res.writeHead(
      answer.status,
      fixed.concat(
        'X-Request-Id',
        requestIdOf(req),
        'RateLimit',
        rateLimit,
        'RateLimit-Policy',
        policy,
        answer.headers,
      ),
    );
    res.end(answer.body);
    observe('GET', STOREFRONT_ROUTE, answer.status, (performance.now() - start) / 1000);
    onServed();
    return true;
  };
}
