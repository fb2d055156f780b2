import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new order access token (32 random bytes, base64url) and the SHA-256 hash we store. */
export function newOrderAccessToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashOrderAccessToken(token) };
}

/** Hex SHA-256 of a token: only this is stored, so a database leak reveals no usable token. */
export function hashOrderAccessToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `token` matches `storedHash`, compared in constant time. */
export function orderAccessTokenMatches(token: string, storedHash: string): boolean {
  const given = Buffer.from(hashOrderAccessToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  // Both are SHA-256 digests, so lengths only differ for a corrupt stored hash.
  return given.length === stored.length && timingSafeEqual(given, stored);
}
