import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A browser file the sandbox serves as is. */
export interface StaticAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

function load(name: string, contentType: string): StaticAsset {
  // Read once at import: a missing file fails the sandbox's start, not a browser test later.
  const body = readFileSync(new URL(`./browser/${name}`, import.meta.url));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag };
}

/** checkout.js and the modal's own script and stylesheet. */
export const CHECKOUT_ASSETS = {
  checkoutScript: load('checkout.js', 'text/javascript; charset=utf-8'),
  modalScript: load('modal.js', 'text/javascript; charset=utf-8'),
  modalStyle: load('modal.css', 'text/css; charset=utf-8'),
} as const;

/**
 * Sends an asset for GET/HEAD. `no-cache` + ETag: browsers revalidate on every load, so a
 * changed sandbox script is never run stale, and an unchanged one costs a 304.
 */
export function sendAsset(req: IncomingMessage, res: ServerResponse, asset: StaticAsset): void {
  const headers = {
    'Content-Type': asset.contentType,
    'Cache-Control': 'no-cache',
    ETag: asset.etag,
    'X-Content-Type-Options': 'nosniff',
    // Loadable by pages that set Cross-Origin-Embedder-Policy: require-corp.
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  const known = req.headers['if-none-match']?.split(',').map((tag) => tag.trim());
  if (known?.includes(asset.etag) === true) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': asset.body.length });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}
