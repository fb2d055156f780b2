import type { IncomingMessage, ServerResponse } from 'node:http';
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

// The API docs page (Swagger UI, all assets ours): scripts and styles from 'self' only (its React
// components set styles through the DOM, which CSP allows); it fetches the document.
const docsHelmet = helmet({
  ...common,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  },
});

/** Path of the API docs page and its assets. */
export const DOCS_PAGE_PATH = '/api/docs';
const DOCS = new RegExp(`^${DOCS_PAGE_PATH}(?:/|$)`, 'i');

const BOARD = new RegExp(`^${BOARD_PATH}(?:/|$)`, 'i');

/** One header write helmet makes: set `name` to `value`, or remove it when `value` is undefined. */
type HeaderOp = readonly [name: string, value: string | undefined];

/**
 * The header writes a helmet middleware makes, recorded once. With our options every value is
 * static (no nonces, nothing read from the request), so replaying them per request gives the
 * same headers without helmet's per-request work (~4 % of the storefront hit path's CPU).
 */
function recordHeaders(middleware: ReturnType<typeof helmet>): HeaderOp[] {
  const ops: HeaderOp[] = [];
  const res = {
    setHeader: (name: string, value: unknown) => {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a non-string`);
      ops.push([name, value]);
    },
    removeHeader: (name: string) => ops.push([name, undefined]),
  };
  let done = false;
  middleware({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err !== undefined && err !== null) throw err instanceof Error ? err : new Error('helmet');
    done = true;
  });
  // A helmet that answered later or read the request could not be replayed.
  if (!done) throw new Error('helmet did not finish synchronously; headers cannot be precomputed');
  return ops;
}

function replay(ops: readonly HeaderOp[]): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of ops) {
      if (value === undefined) res.removeHeader(name);
      else res.setHeader(name, value);
    }
    next();
  };
}

/**
 * The security headers of every API (non-board) response as a flat `[name, value, …]` list, for
 * a response written with one `writeHead` (the storefront's hot path). Helmet's removals are
 * left out: they remove headers nobody has set on such a response.
 */
export function apiSecurityHeaderList(): string[] {
  const list: string[] = [];
  for (const [name, value] of recordHeaders(apiHelmet)) {
    if (value !== undefined) list.push(name, value);
  }
  return list;
}

/**
 * Security headers on every response, 404s and errors included: HSTS (1 year, subdomains),
 * nosniff, frame denial, no referrer and a CSP of `default-src 'none'` for the API; the Bull
 * Board page and the API docs page get CSPs that let their own scripts and styles load. Computed
 * by helmet once.
 */
export function securityHeaders(): RequestHandler {
  const api = replay(recordHeaders(apiHelmet));
  const board = replay(recordHeaders(boardHelmet));
  const docs = replay(recordHeaders(docsHelmet));
  return (req, res, next) => {
    if (BOARD.test(req.path)) board(req, res, next);
    else if (DOCS.test(req.path)) docs(req, res, next);
    else api(req, res, next);
  };
}
