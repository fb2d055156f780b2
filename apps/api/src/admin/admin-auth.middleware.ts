import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError, type Logger } from '@storefront/shared';

const REALM = 'Basic realm="storefront-admin", charset="UTF-8"';

// Hashing first gives equal-length inputs, so neither the comparison nor an early length check
// reveals how long (or how right) a guess was.
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Decodes `Authorization: Basic base64(user:password)`; undefined when absent or malformed. */
export function parseBasicAuth(
  header: string | undefined,
): { username: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP Basic authentication with ADMIN_USERNAME / ADMIN_PASSWORD (timing-safe). Without valid
 * credentials: 401 in the JSON error shape, with `WWW-Authenticate` so browsers (Bull Board)
 * prompt for them. The authenticated name is kept in `res.locals.adminUser` for audit logs.
 */
export function adminAuth(opts: {
  username: string;
  password: string;
  logger: Logger;
}): RequestHandler {
  return (req, res, next) => {
    const creds = parseBasicAuth(req.headers.authorization);
    // Both comparisons always run, so timing does not tell which half was wrong.
    const userOk = sameSecret(creds?.username ?? '', opts.username);
    const passOk = sameSecret(creds?.password ?? '', opts.password);
    if (creds && userOk && passOk) {
      res.locals.adminUser = creds.username;
      next();
      return;
    }
    if (creds) opts.logger.warn('admin authentication failed', { path: req.path, ip: req.ip });
    res.setHeader('WWW-Authenticate', REALM);
    res.setHeader('Cache-Control', 'no-store');
    next(new UnauthorizedError('Admin credentials required'));
  };
}
