import { Router, type Request, type RequestHandler, type Response } from 'express';
import { AppError, UnsupportedMediaTypeError } from '@storefront/shared';
import { currentCreator } from '../auth/auth.middleware.ts';
import { requiredContentLength } from '../http/content-length.ts';
import type { AvatarBody, CoverImageBody } from '../openapi/response.schemas.ts';
import { ACCEPTED_IMAGE_TYPES, acceptedImageType, type ImageKind } from './image-policy.ts';
import type { ImageUploadService, ImageTarget } from './image-upload.service.ts';
import type { ImageMetrics, ImageUploadOutcome } from './image.metrics.ts';
import type { ImageUrls } from './public-image.ts';

/** Maps an upload failure to its image_uploads_total outcome. */
function outcomeOf(err: unknown): ImageUploadOutcome {
  if (!(err instanceof AppError)) return 'failed';
  switch (err.code) {
    case 'PAYLOAD_TOO_LARGE':
      return 'too_large';
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 'unsupported_type';
    case 'IMAGE_TOO_LARGE':
      return 'too_many_pixels';
    case 'INVALID_IMAGE':
      return 'invalid_image';
    case 'NOT_FOUND':
      return 'not_found';
    case 'SERVICE_UNAVAILABLE':
      return 'busy';
    default:
      return err.httpStatus < 500 ? 'bad_request' : 'failed';
  }
}

function targetOf(kind: ImageKind, req: Request): ImageTarget {
  return kind === 'cover' ? { kind, productId: String(req.params.id) } : { kind };
}

// Private answers, like the rest of /me.
function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * The creator's images; mount under `/api/v1/me`. The raw image is the body (Content-Type its
 * type, Content-Length required), like product-file uploads:
 * - `PUT /products/:id/image` (cover) and `PUT /avatar` → 200 `{image}` / `{avatar}` (PublicImage);
 * - `DELETE` of either → 204 (the reference goes; the immutable objects stay).
 * Checks in order, nothing stored until all pass: 401, 411/413 (IMAGE_MAX_BYTES), 415 declared
 * type, 404 not the caller's product, 415 content, 422 pixels/corrupt.
 */
export function imageUploadRouter(deps: {
  imageUploads: ImageUploadService;
  imageUrls: ImageUrls;
  imageMetrics: ImageMetrics;
  requireCreator: RequestHandler;
  maxBytes: number;
}): Router {
  const { imageUploads: service, imageUrls, imageMetrics: metrics, maxBytes } = deps;

  const put =
    (kind: ImageKind): RequestHandler =>
    (req, res, next) => {
      const fail = (err: unknown) => {
        // Do not read (up to IMAGE_MAX_BYTES of) a body we refused: close the connection instead.
        if (!req.complete) res.setHeader('Connection', 'close');
        if (req.destroyed && !(err instanceof AppError)) {
          err = new AppError('REQUEST_ABORTED', 400, 'Upload aborted by the client');
        }
        if (err instanceof AppError && err.httpStatus === 503) res.setHeader('Retry-After', '5');
        metrics.upload(kind, outcomeOf(err));
        next(err);
      };
      noStore(res);
      try {
        const size = requiredContentLength(req, maxBytes, 'Images');
        const type = acceptedImageType(req.headers['content-type']);
        if (type === undefined) {
          throw new UnsupportedMediaTypeError('This image type is not accepted', {
            allowed: ACCEPTED_IMAGE_TYPES,
          });
        }
        service
          .upload(currentCreator(res), targetOf(kind, req), { type, size, content: req })
          .then((ref) => {
            metrics.upload(kind, 'stored');
            const body: CoverImageBody | AvatarBody =
              kind === 'cover' ? { image: imageUrls(ref) } : { avatar: imageUrls(ref) };
            res.json(body);
          }, fail);
      } catch (err) {
        fail(err);
      }
    };

  const remove =
    (kind: ImageKind): RequestHandler =>
    async (req, res) => {
      noStore(res);
      try {
        await service.remove(currentCreator(res), targetOf(kind, req));
      } catch (err) {
        metrics.upload(kind, outcomeOf(err));
        throw err;
      }
      metrics.upload(kind, 'removed');
      res.status(204).end();
    };

  const router = Router();
  router.put('/products/:id/image', deps.requireCreator, put('cover'));
  router.delete('/products/:id/image', deps.requireCreator, remove('cover'));
  router.put('/avatar', deps.requireCreator, put('avatar'));
  router.delete('/avatar', deps.requireCreator, remove('avatar'));
  return router;
}
