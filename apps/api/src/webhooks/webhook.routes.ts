import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import {
  AppError,
  isObjectIdString,
  NotFoundError,
  PLATFORM_ACCOUNT,
  ServiceUnavailableError,
  throttledLog,
  type Logger,
} from '@storefront/shared';
import type { WebhookAckBody } from '../openapi/response.schemas.ts';
import { BadSignatureError, type WebhookIngestService } from './webhook-ingest.service.ts';
import type { WebhookMetrics, WebhookResult } from './webhook.metrics.ts';

/**
 * `POST /:account` for Razorpay webhooks, `account` being `platform` or a creator id; mount under
 * `/api/v1/webhooks/razorpay`. The JSON body parser skips this path, so the raw bytes arrive here.
 */
export function webhookRouter(deps: {
  ingest: WebhookIngestService;
  metrics: WebhookMetrics;
  logger: Logger;
  maxBodyBytes: number;
}): Router {
  const { metrics, logger } = deps;
  const service = deps.ingest;
  const warnSignature = throttledLog(5_000);

  const rawBody = express.raw({ type: () => true, limit: deps.maxBodyBytes });
  // Body-parser failures (413 too large, aborted uploads) are counted here, then answered by the
  // app's error handler.
  const countParseErrors: ErrorRequestHandler = (err, _req, _res, next) => {
    metrics.received('invalid');
    next(err);
  };

  const checkAccount: RequestHandler<{ account: string }> = (req, _res, next) => {
    const { account } = req.params;
    if (account === PLATFORM_ACCOUNT || isObjectIdString(account)) return next();
    metrics.received('invalid');
    next(new NotFoundError('Unknown webhook endpoint'));
  };

  const ingest: RequestHandler<{ account: string }> = async (req, res) => {
    const body: unknown = req.body;
    let result: 'accepted' | 'duplicate';
    try {
      result = await service.ingest({
        account: req.params.account,
        rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
        signature: header(req.headers['x-razorpay-signature']),
        eventId: header(req.headers['x-razorpay-event-id']),
      });
    } catch (err) {
      const outcome = classify(err);
      metrics.received(outcome);
      if (outcome === 'bad_signature') {
        warnSignature((suppressed) =>
          logger.warn('webhook with a bad signature rejected', {
            account: req.params.account,
            suppressed,
          }),
        );
      }
      throw err;
    }
    metrics.received(result);
    res.status(200).json({ status: result } satisfies WebhookAckBody);
  };

  const router = Router();
  router.post('/:account', checkAccount, rawBody, countParseErrors, ingest);
  return router;
}

function classify(err: unknown): WebhookResult {
  if (err instanceof BadSignatureError) return 'bad_signature';
  if (err instanceof ServiceUnavailableError) return 'unavailable';
  if (err instanceof AppError && err.httpStatus < 500) return 'invalid';
  return 'unavailable';
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
