import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import {
  AppError,
  createFieldCipher,
  createProducers,
  enqueueWebhook,
  isObjectIdString,
  NotFoundError,
  PLATFORM_ACCOUNT,
  ServiceUnavailableError,
} from '@storefront/shared';
import type { ApiDeps } from '../deps.ts';
import { WebhookEventRepository } from './webhook-event.repository.ts';
import { BadSignatureError, WebhookIngestService } from './webhook-ingest.service.ts';
import { webhookMetrics, type WebhookResult } from './webhook.metrics.ts';

/**
 * `POST /:account` for Razorpay webhooks, `account` being `platform` or a creator id; mount under
 * `/api/v1/webhooks/razorpay`. The JSON body parser skips this path, so the raw bytes arrive here.
 */
export function webhookRouter(deps: ApiDeps): Router {
  const logger = deps.logger.child({ module: 'webhooks' });
  const metrics = webhookMetrics(deps.metrics);
  // Fail-fast producer connection: with Redis down, add() rejects instead of hanging the request.
  const producers = createProducers(deps.createRedis('producer'), deps.config.QUEUE_PREFIX);
  deps.onClose(() => producers.close());
  const warnEnqueue = throttled(5_000);
  const warnSignature = throttled(5_000);

  const service = new WebhookIngestService({
    mongo: deps.mongo,
    config: deps.config,
    cipher: createFieldCipher(deps.config),
    logger,
    inbox: new WebhookEventRepository(deps.mongo),
    enqueue: (eventId) => enqueueWebhook(producers.webhooks, eventId),
    onEnqueueFailure: (eventId, err) => {
      metrics.enqueueFailed();
      warnEnqueue((suppressed) =>
        logger.warn('webhook stored but not queued; the sweeper will queue it', {
          eventId,
          suppressed,
          err,
        }),
      );
    },
  });

  const rawBody = express.raw({ type: () => true, limit: deps.config.WEBHOOK_MAX_BODY_BYTES });
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
    res.status(200).json({ status: result });
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

// During a Redis outage or an attack every request would log a line; one per interval is enough,
// with a count of what was skipped.
function throttled(everyMs: number): (log: (suppressed: number) => void) => void {
  let last = 0;
  let suppressed = 0;
  return (log) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed += 1;
      return;
    }
    last = now;
    log(suppressed);
    suppressed = 0;
  };
}
