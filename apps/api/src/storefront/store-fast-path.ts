import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { ObserveRequest } from '../http/http-metrics.ts';
import { hasNoBody } from '../http/json-body.ts';
import { requestIdOf } from '../http/request-context.ts';
import type { PublicLocalLimiter } from '../security/rate-limit.ts';
import type { StoreCache } from './store-cache.service.ts';
import { RESERVED_USERNAMES } from '@storefront/shared';
import { STORE_PAGE_ROUTE } from '../pages/page.routes.ts';
import {
  answerFor,
  normalizeUsername,
  STOREFRONT_PREFIX,
  STOREFRONT_ROUTE,
  type StoreResponse,
} from './store-response.ts';

export interface StoreFastPathOptions {
  cache: StoreCache;
  limiter: PublicLocalLimiter;
  /** The security headers every API response carries (security-headers.ts), flat. */
  securityHeaders: readonly string[];
  observe: ObserveRequest;
  /**
   * The storefront page for a cache entry (pages/store-pages.ts): `GET /<name>` memory hits are
   * answered here too. Its answers carry their own CSP and COOP, which replace the API's.
   */
  pages: {
    pageFor(entry: StoreResponse): StoreResponse;
    headers: Readonly<Record<string, string>>;
  };
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
  const { cache, limiter, observe, onServed, isShuttingDown, pages } = opts;
  const fixed = [...opts.securityHeaders, 'Vary', 'Origin'];
  const own = new Set(Object.keys(pages.headers));
  const pageFixed: string[] = [];
  for (let i = 0; i < opts.securityHeaders.length; i += 2) {
    const name = opts.securityHeaders[i] ?? '';
    if (!own.has(name.toLowerCase())) pageFixed.push(name, opts.securityHeaders[i + 1] ?? '');
  }
  pageFixed.push('Vary', 'Origin');
  return (req, res) => {
    const start = performance.now();
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || url.charCodeAt(0) !== 47 /* / */) return false;
    const json = url.startsWith(STOREFRONT_PREFIX);
    // Only a bare name: '/', '?' and '%' cannot pass the username pattern. Reserved names are
    // our own paths (/healthz, /metrics…): Express routes those.
    const username = normalizeUsername(url.slice(json ? STOREFRONT_PREFIX.length : 1));
    if (username === undefined || (!json && RESERVED_USERNAMES.has(username))) return false;
    if (req.headers.origin !== undefined || !hasNoBody(req) || isShuttingDown()) return false;
    // Requests reach here with Express's request prototype (http/server-classes.ts): the limiter
    // resolves the client address with the app's `trust proxy` setting, as on the Express path.
    const entry = limiter.check(req as Request);
    if (entry === undefined) return false;
    const hit = cache.peek(username);
    if (hit === undefined) return false;
    const [rateLimit, policy] = limiter.count(entry);

    const answer = answerFor(json ? hit : pages.pageFor(hit), req.headers['if-none-match']);
    res.writeHead(
      answer.status,
      (json ? fixed : pageFixed).concat(
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
    const route = json ? STOREFRONT_ROUTE : STORE_PAGE_ROUTE;
    observe('GET', route, answer.status, (performance.now() - start) / 1000);
    onServed();
    return true;
  };
}
