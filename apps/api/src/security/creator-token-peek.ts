import { createSecretKey } from 'node:crypto';
import type { Request } from 'express';
import { jwtVerify } from 'jose';

// The claims of creator session tokens (auth/token.service.ts); other tokens signed with the
// same secret (other audiences) must not pass for a creator here either.
const CREATOR_TOKEN_ISSUER = 'storefront';
const CREATOR_TOKEN_AUDIENCE = 'storefront:creator';

/**
 * Reads the creator id from a request's bearer token for rate limiting before the route's own
 * authentication runs. The signature is verified (HS256, JWT_SECRET), so a forged token can
 * neither spend another creator's quota nor mint fresh identities to dodge the limit; anything
 * that does not verify is `undefined` and is limited by client address instead.
 */
export function creatorTokenPeek(jwtSecret: string): (req: Request) => Promise<string | undefined> {
  const key = createSecretKey(Buffer.from(jwtSecret, 'utf8'));
  return async (req) => {
    const header = req.headers.authorization;
    if (header === undefined || header.length > 4096 || !/^Bearer /i.test(header)) {
      return undefined;
    }
    try {
      const { payload } = await jwtVerify(header.slice(7).trim(), key, {
        algorithms: ['HS256'],
        issuer: CREATOR_TOKEN_ISSUER,
        audience: CREATOR_TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'exp'],
      });
      return typeof payload.sub === 'string' && payload.sub.length > 0 ? payload.sub : undefined;
    } catch {
      return undefined;
    }
  };
}
