import type { Request, RequestHandler, Response } from 'express';
import type { StoreCache } from './store-cache.service.ts';
import {
  answerFor,
  INVALID_USERNAME_RESPONSE,
  normalizeUsername,
  type StoreResponse,
} from './store-response.ts';

function send(req: Request, res: Response, r: StoreResponse): void {
  const answer = answerFor(r, req.headers['if-none-match']);
  res.writeHead(answer.status, answer.headers as string[]);
  res.end(answer.body);
}

/**
 * The handler of `GET .../:username`, the public storefront. The hot path (a memory hit) writes
 * prebuilt bytes and headers: no serialization, no logging, no promise.
 */
export function storefrontHandler(cache: StoreCache): RequestHandler<{ username: string }> {
  return (req, res, next) => {
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
  };
}
