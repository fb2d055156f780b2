import { Router, type Request, type Response } from 'express';
import type { ApiDeps } from '../deps.ts';
import { storeCacheFor } from './store-cache.service.ts';
import {
  etagMatches,
  INVALID_USERNAME_RESPONSE,
  normalizeUsername,
  type StoreResponse,
} from './store-response.ts';

function send(req: Request, res: Response, r: StoreResponse): void {
  if (r.status === 200) {
    const inm = req.headers['if-none-match'];
    if (inm !== undefined && etagMatches(inm, r.etag)) {
      res.writeHead(304, r.notModifiedHeaders);
      res.end();
      return;
    }
  }
  res.writeHead(r.status, r.headers);
  res.end(r.body);
}

/**
 * `GET /:username`, the public storefront; mount under `/api/v1/store`. The hot path (a memory
 * hit) writes prebuilt bytes and headers: no serialization, no logging, no promise.
 */
export function storeRouter(deps: ApiDeps): Router {
  const cache = storeCacheFor(deps);
  const router = Router();
  router.get('/:username', (req, res, next) => {
    const username = normalizeUsername(req.params.username);
    if (username === undefined) {
      res.writeHead(INVALID_USERNAME_RESPONSE.status, INVALID_USERNAME_RESPONSE.headers);
      res.end(INVALID_USERNAME_RESPONSE.body);
      return;
    }
    const hit = cache.peek(username);
    if (hit !== undefined) {
      send(req, res, hit);
      return;
    }
    cache.load(username).then((r) => send(req, res, r), next);
  });
  return router;
}
