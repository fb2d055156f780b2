import type { Request } from 'express';
import type { Config } from '@storefront/shared';
import { TokenService } from '../auth/token.service.ts';

const BEARER = /^bearer +(\S{1,4096})$/i;

/**
 * Reads the creator id from a request's bearer token for rate limiting, before the route's own
 * authentication runs. The token is verified exactly as authentication verifies it (signature,
 * algorithm, issuer, audience, expiry), so a forged token can neither spend another creator's
 * quota nor mint fresh identities to dodge the limit; anything that does not verify is
 * `undefined` and is limited by client address instead. Whether the creator still exists is
 * left to authentication: it costs a query, and a deleted creator's valid token is rare.
 */
export function creatorTokenPeek(
  config: Pick<Config, 'JWT_SECRET' | 'JWT_TTL_SECONDS' | 'JWT_REFRESH_AFTER_SECONDS'>,
): (req: Request) => Promise<string | undefined> {
  const tokens = new TokenService(config);
  return async (req) => {
    const header = req.headers.authorization;
    const raw = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (raw === undefined) return undefined;
    return (await tokens.verify(raw))?.creatorId;
  };
}
