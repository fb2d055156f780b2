import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';

/** Where the pages' static files are served: `/assets/<name>.<hash>.<ext>`. */
export const ASSETS_PREFIX = '/assets/';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** One static file of the pages, content-hashed so its URL can be cached forever. */
export interface PageAssets {
  /** The stylesheet's text, inlined into every page (critical CSS: no render-blocking request). */
  readonly css: string;
  /** `'sha256-…'` of the inline stylesheet, for the pages' Content-Security-Policy. */
  readonly cssHash: string;
  /**
   * The storefront page's inline loader: it loads the page script (`data-script` on <body>) after
   * the `load` event and the first product image's paint, or at once on the first sign of
   * interaction, remembering a Buy clicked before the script arrived. A script requested before
   * the largest paint would be counted against it by a slow phone (and by Lighthouse); this keeps
   * it off that path.
   */
  readonly bootScript: string;
  /** `'sha256-…'` of `bootScript`, for the storefront page's Content-Security-Policy. */
  readonly bootHash: string;
  /** URL of a script by its source name (`store.js`, `order.js`). */
  scriptUrl(name: 'store.js' | 'order.js'): string;
  /** Serves `/assets/<name>.<hash>.<ext>` (immutable) and 404s anything else. */
  handler: RequestHandler;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** Reads the pages' assets once at start-up and hashes them. */
export function loadPageAssets(): PageAssets {
  const dir = new URL('./assets/', import.meta.url);
  const css = minifyCss(readFileSync(new URL('page.css', dir), 'utf8'));
  // Every line of boot.js ends in a separator, so dropping line breaks (and whole-line comments)
  // keeps it the same program.
  const bootScript = readFileSync(new URL('boot.js', dir), 'utf8')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\n\s*/g, '')
    .trim();
  const byPath = new Map<string, Asset>();
  const urls = new Map<string, string>();
  for (const name of ['store.js', 'order.js'] as const) {
    const body = readFileSync(new URL(name, dir));
    const digest = createHash('sha256').update(body).digest('base64url').slice(0, 12);
    const [base, ext = 'js'] = name.split('.');
    const file = `${base}.${digest}.${ext}`;
    byPath.set(file, { body, type: TYPES[ext] ?? 'application/octet-stream', etag: `"${digest}"` });
    urls.set(name, `${ASSETS_PREFIX}${file}`);
  }
  return {
    css,
    cssHash: `'sha256-${createHash('sha256').update(css).digest('base64')}'`,
    bootScript,
    bootHash: `'sha256-${createHash('sha256').update(bootScript).digest('base64')}'`,
    scriptUrl: (name) => urls.get(name) ?? '',
    handler: (req, res, next) => {
      const asset = byPath.get(String(req.params.file));
      if (!asset) {
        next();
        return;
      }
      res.setHeader('Content-Type', asset.type);
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      res.setHeader('ETag', asset.etag);
      if (req.headers['if-none-match'] === asset.etag) {
        res.status(304).end();
        return;
      }
      res.setHeader('Content-Length', String(asset.body.length));
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    },
  };
}

/**
 * Our own stylesheet without comments and layout whitespace: it is inlined into every page, whose
 * first bytes decide the first paint on a slow link. (Only for page.css, which has no strings or
 * `url()`s where whitespace would matter.)
 */
export function minifyCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{}:;,>])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
}
