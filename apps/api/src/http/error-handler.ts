import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, type Logger } from '@storefront/shared';
import type { ErrorBody } from '../openapi/response.schemas.ts';

/** Unknown routes answer 404 in the JSON error shape. */
export function notFound(): RequestHandler {
  return (req, res) => {
    res.status(404).json({
      error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path}` },
    } satisfies ErrorBody);
  };
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

// Errors raised by body parsers (body-parser / raw-body) carry a status and a type.
const PARSER_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': { code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' },
  'entity.too.large': { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' },
  'encoding.unsupported': { code: 'UNSUPPORTED_ENCODING', message: 'Unsupported content encoding' },
  'charset.unsupported': { code: 'UNSUPPORTED_CHARSET', message: 'Unsupported charset' },
  'request.aborted': { code: 'REQUEST_ABORTED', message: 'Request aborted' },
};

/**
 * Maps AppError and validation errors to 4xx JSON, body-parser errors to their 4xx, and
 * everything else to 500 with an error id that is logged alongside the stack.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof AppError) {
      if (err.httpStatus >= 500) logger.error('request failed', { err, path: req.path });
      res.status(err.httpStatus).json(err.toBody());
      return;
    }
    if (err instanceof ZodError) {
      res.status(400).json({
        error: {
          code: 'VALIDATION_ERROR',
          message: 'Invalid request',
          details: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      } satisfies ErrorBody);
      return;
    }
    const e = (err ?? {}) as HttpishError;
    const status = e.status ?? e.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const known = e.type ? PARSER_ERRORS[e.type] : undefined;
      res.status(status).json({
        error: known ?? { code: 'BAD_REQUEST', message: 'Bad request' },
      } satisfies ErrorBody);
      return;
    }
    const errorId = randomUUID();
    logger.error('unhandled error', { err, errorId, method: req.method, path: req.path });
    res.status(500).json({
      error: { code: 'INTERNAL', message: 'Internal server error', details: { errorId } },
    } satisfies ErrorBody);
  };
}
