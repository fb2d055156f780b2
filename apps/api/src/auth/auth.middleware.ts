import type { RequestHandler, Response } from 'express';
import { UnauthorizedError, type CreatorRepository } from '@storefront/shared';
import type { TokenService } from './token.service.ts';

/** The authenticated creator of a request, as `requireCreator` leaves it in `res.locals`. */
export interface CurrentCreator {
  id: string;
  /** The creator's username at the time of the request (read fresh, so renames apply at once). */
  username: string;
}

/** Response header carrying a replacement token once the presented one is older than JWT_REFRESH_AFTER_SECONDS. */
export const REFRESHED_TOKEN_HEADER = 'X-Refreshed-Token';

const BEARER = /^bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;

/**
 * Express middleware: requires `Authorization: Bearer <jwt>` naming an existing creator, sets
 * `res.locals.creator` (read it with `currentCreator(res)`), and sends a fresh token in
 * `X-Refreshed-Token` when the presented one is old. Anything else is 401 JSON.
 */
export function requireCreator(deps: {
  tokens: TokenService;
  creators: CreatorRepository;
}): RequestHandler {
  const { tokens, creators } = deps;
  return (req, res, next) => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header);
    if (!match?.[1]) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      next(new UnauthorizedError());
      return;
    }
    authenticate(match[1]).then(
      (creator) => {
        if (!creator) {
          res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
          next(new UnauthorizedError('Invalid or expired token'));
          return;
        }
        res.locals.creator = creator.current;
        if (creator.refreshed) res.setHeader(REFRESHED_TOKEN_HEADER, creator.refreshed);
        next();
      },
      (err: unknown) => next(err),
    );
  };

  async function authenticate(
    raw: string,
  ): Promise<{ current: CurrentCreator; refreshed?: string } | null> {
    const token = await tokens.verify(raw);
    if (!token) return null;
    // A token outlives nothing: a deleted account stops authenticating at once.
    const identity = await creators.findIdentityById(token.creatorId);
    if (!identity) return null;
    const current = { id: identity._id.toHexString(), username: identity.username };
    if (!tokens.shouldRefresh(token)) return { current };
    return { current, refreshed: await tokens.issue(current.id) };
  }
}

/** The creator `requireCreator` authenticated for this response; throws if it did not run. */
export function currentCreator(res: Response): CurrentCreator {
  const creator = (res.locals as { creator?: CurrentCreator }).creator;
  if (!creator) throw new UnauthorizedError();
  return creator;
}
