import { Router, type Request, type Response } from 'express';
import type { StoreCache } from '../storefront/store-cache.service.ts';
import { answerFor, normalizeUsername, type StoreResponse } from '../storefront/store-response.ts';
import type { PageAssets } from './page-assets.ts';
import type { StorePages } from './store-pages.ts';

/** The storefront page's path shape (one segment); its answer comes from the storefront cache. */
export const STORE_PAGE_ROUTE = '/:username';

function send(req: Request, res: Response, r: StoreResponse): void {
  const answer = answerFor(r, req.headers['if-none-match']);
  // The page's own headers (its CSP) are in the list and take precedence over the API's.
  res.writeHead(answer.status, answer.headers as string[]);
  res.end(req.method === 'HEAD' ? undefined : answer.body);
}

/**
 * The buyer's pages: `/assets/*` (immutable), `/orders/:id` (the order page shell) and
 * `/:username` (the storefront page, from the same cache entry as `GET /api/v1/store/:username`;
 * memory hits are answered before Express by the fast path). Mount last, before the 404 handler.
 */
export function pageRouter(deps: {
  pages: StorePages;
  assets: PageAssets;
  storeCache: StoreCache;
}): Router {
  const { pages, storeCache } = deps;
  const router = Router();
  router.get('/assets/:file', deps.assets.handler);
  router.get('/orders/:id', (req, res) => send(req, res, pages.order));
  router.get(STORE_PAGE_ROUTE, (req, res, next) => {
    const username = normalizeUsername(String(req.params.username));
    // A name that cannot be a username is never looked up: it gets the 404 page at once.
    if (username === undefined) {
      send(req, res, pages.notFound);
      return;
    }
    const hit = storeCache.peek(username);
    if (hit !== undefined) {
      send(req, res, pages.pageFor(hit));
      return;
    }
    storeCache.load(username).then((r) => send(req, res, pages.pageFor(r)), next);
  });
  return router;
}
