import type { Request, RequestHandler, Response } from 'express';
import { NotFoundError, ValidationError } from '@storefront/shared';
import { etagMatches } from '../storefront/store-response.ts';
import type { ImageCache, ServedImage } from './image-cache.service.ts';
import { IMMUTABLE_CACHE_CONTROL, parseImageName } from './image-names.ts';

function send(req: Request, res: Response, image: ServedImage): void {
  // Public images may be embedded by any page (the storefront, front ends on other origins, a
  // CDN's domain); the API's default `same-origin` would make browsers refuse them.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, image.etag)) {
    res.writeHead(304, { etag: image.etag, 'cache-control': IMMUTABLE_CACHE_CONTROL });
    res.end();
    return;
  }
  res.writeHead(200, {
    'content-type': image.contentType,
    'content-length': String(image.body.length),
    etag: image.etag,
    'cache-control': IMMUTABLE_CACHE_CONTROL,
  });
  // Node sends no body for HEAD.
  res.end(image.body);
}

/**
 * `GET|HEAD /img/<hash>-<width>.<avif|webp>`: a public image variant, immutable (cached for a
 * year by browsers and CDNs), from memory or the images bucket. 400 for a name that cannot be
 * one, 404 for one that does not exist; errors are never cached.
 */
export function imageHandler(cache: ImageCache): RequestHandler<{ name: string }> {
  return (req, res, next) => {
    const name = parseImageName(req.params.name);
    if (name === undefined) {
      res.setHeader('Cache-Control', 'no-store');
      next(new ValidationError('Invalid image name', { expected: '<32 hex>-<width>.<avif|webp>' }));
      return;
    }
    const hit = cache.peek(name);
    if (hit !== undefined) {
      send(req, res, hit);
      return;
    }
    cache.load(name).then(
      (image) => {
        if (image !== null) {
          send(req, res, image);
          return;
        }
        res.setHeader('Cache-Control', 'no-store');
        next(new NotFoundError('Image not found'));
      },
      (err: unknown) => {
        res.setHeader('Cache-Control', 'no-store');
        next(err);
      },
    );
  };
}
