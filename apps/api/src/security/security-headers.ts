import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** Path of the Bull Board UI, the one HTML page the API serves. */
export const BOARD_PATH = '/admin/queues';

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

const common: HelmetOptions = {
  strictTransportSecurity: { maxAge: ONE_YEAR_SECONDS, includeSubDomains: true },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  xContentTypeOptions: true,
  crossOriginResourcePolicy: { policy: 'same-origin' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
};

// JSON responses never load anything, so nothing is allowed and nothing may frame them.
const apiHelmet = helmet({
  ...common,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  },
});

// Bull Board is a React app: its scripts and styles come from its own static files, it sets
// inline style attributes, and its page pulls IBM Plex from Google Fonts. Scripts stay 'self'
// only (its inline <script> is a JSON data block, which CSP does not execute).
const boardHelmet = helmet({
  ...common,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
      fontSrc: ["'self'", 'https://fonts.gstatic.com', 'data:'],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
    },
  },
});

const BOARD = new RegExp(`^${BOARD_PATH}(?:/|$)`, 'i');

/**
 * Security headers on every response, 404s and errors included: HSTS (1 year, subdomains),
 * nosniff, frame denial, no referrer and a CSP of `default-src 'none'` for the API; the Bull
 * Board page gets a CSP that lets its own scripts and styles load.
 */
export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    if (BOARD.test(req.path)) boardHelmet(req, res, next);
    else apiHelmet(req, res, next);
  };
}
