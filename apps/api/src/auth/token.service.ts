import { SignJWT, jwtVerify } from 'jose';
import type { Config } from '@storefront/shared';

const ALGORITHM = 'HS256';
const ISSUER = 'storefront';
// Audience separates creator session tokens from any other token signed with the same secret.
const AUDIENCE = 'storefront:creator';

/** What a verified creator token says. */
export interface CreatorToken {
  creatorId: string;
  /** Issued-at, seconds since the epoch. */
  issuedAt: number;
}

/** Issues and verifies creator session tokens (HS256 JWTs with `sub`, `iat`, `exp`). */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;
  private readonly refreshAfterSeconds: number;

  constructor(
    config: Pick<Config, 'JWT_SECRET' | 'JWT_TTL_SECONDS' | 'JWT_REFRESH_AFTER_SECONDS'>,
  ) {
    this.key = new TextEncoder().encode(config.JWT_SECRET);
    this.ttlSeconds = config.JWT_TTL_SECONDS;
    this.refreshAfterSeconds = config.JWT_REFRESH_AFTER_SECONDS;
  }

  /** A fresh token for `creatorId`, valid for JWT_TTL_SECONDS. */
  async issue(creatorId: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(creatorId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .sign(this.key);
  }

  /**
   * The token's claims, or null for anything not a valid, unexpired HS256 token of ours
   * (`alg: none`, other algorithms, bad signatures and malformed input all land here).
   */
  async verify(token: string): Promise<CreatorToken | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.iat !== 'number') return null;
      return { creatorId: payload.sub, issuedAt: payload.iat };
    } catch {
      return null;
    }
  }

  /** True when a valid token is old enough to be replaced on this request. */
  shouldRefresh(token: CreatorToken): boolean {
    return Math.floor(Date.now() / 1000) - token.issuedAt >= this.refreshAfterSeconds;
  }
}
