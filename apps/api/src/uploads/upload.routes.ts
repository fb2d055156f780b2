import { Router, type RequestHandler } from 'express';
import {
  AppError,
  getOrCreateMetric,
  promClient,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@storefront/shared';
import { currentCreator } from '../auth/auth.middleware.ts';
import type { FileUploadBody } from '../openapi/response.schemas.ts';
import type { ApiDeps } from '../deps.ts';
import { requiredContentLength } from '../http/content-length.ts';
import {
  ALLOWED_UPLOAD_TYPES,
  allowedTypeForDeclared,
  extensionMatches,
} from './file-type-policy.ts';
import { uploadOutcome, type UploadOutcome, type UploadService } from './upload.service.ts';

/** Header carrying the file's name, percent-encoded UTF-8 (`encodeURIComponent`). */
export const FILE_NAME_HEADER = 'X-File-Name';

// Printable names only: no control characters, no path separators.
// eslint-disable-next-line no-control-regex
const BAD_NAME_CHARS = /[\u0000-\u001f\u007f/\\]/;

function parseFileName(raw: string | undefined): string {
  if (raw === undefined) throw new ValidationError(`${FILE_NAME_HEADER} header is required`);
  let name: string;
  try {
    name = decodeURIComponent(raw).trim();
  } catch {
    throw new ValidationError(`${FILE_NAME_HEADER} must be percent-encoded UTF-8`);
  }
  if (name.length === 0 || name.length > 200 || BAD_NAME_CHARS.test(name)) {
    throw new ValidationError(`${FILE_NAME_HEADER} must be 1-200 printable characters, no slashes`);
  }
  return name;
}

/**
 * `POST /api/v1/me/products/:id/file`: the raw file as the body, its type in Content-Type, its
 * name in X-File-Name. Streams to S3; 413 over UPLOAD_MAX_BYTES, 415 unless content, declared
 * type and extension agree on an allowed type, 404 for products that are not the caller's.
 */
export function uploadRouter(
  deps: Pick<ApiDeps, 'config' | 'metrics'> & {
    uploads: UploadService;
    requireCreator: RequestHandler;
  },
): Router {
  const service = deps.uploads;
  const uploads = getOrCreateMetric(
    deps.metrics,
    'uploads_total',
    () =>
      new promClient.Counter({
        name: 'uploads_total',
        help: 'Product file uploads by outcome',
        labelNames: ['outcome'],
        registers: [deps.metrics],
      }),
  );
  const maxBytes = deps.config.UPLOAD_MAX_BYTES;

  const handler: RequestHandler = (req, res, next) => {
    const count = (outcome: UploadOutcome) => uploads.inc({ outcome });
    const fail = (err: unknown) => {
      // Do not read (up to UPLOAD_MAX_BYTES of) a body we refused: close the connection instead.
      if (!req.complete) res.setHeader('Connection', 'close');
      if (req.destroyed && !(err instanceof AppError)) {
        err = new AppError('REQUEST_ABORTED', 400, 'Upload aborted by the client');
      }
      count(uploadOutcome(err));
      next(err);
    };
    try {
      const size = requiredContentLength(req, maxBytes, 'Files');
      const type = allowedTypeForDeclared(req.headers['content-type']);
      if (!type) {
        throw new UnsupportedMediaTypeError('This file type is not accepted', {
          allowed: ALLOWED_UPLOAD_TYPES,
        });
      }
      const rawName = req.headers[FILE_NAME_HEADER.toLowerCase()];
      const fileName = parseFileName(Array.isArray(rawName) ? undefined : rawName);
      if (!extensionMatches(type, fileName)) {
        throw new UnsupportedMediaTypeError('The file name extension does not match its type');
      }
      const productId = String(req.params.id);
      service
        .upload({
          creatorId: currentCreator(res).id,
          productId,
          fileName,
          type,
          size,
          content: req,
        })
        .then((file) => {
          count('stored');
          res.status(201).json({ file } satisfies FileUploadBody);
        }, fail);
    } catch (err) {
      fail(err);
    }
  };

  const router = Router();
  router.post('/:id/file', deps.requireCreator, handler);
  return router;
}
