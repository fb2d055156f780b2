import { Worker } from 'bullmq';
import { QUEUES, type WebhookJobData } from '@storefront/shared';
import type { WorkerDeps } from '../deps.ts';
import { createAlerter } from '../alerts/alert.service.ts';
import { throttledErrorLog } from '../alerts/throttled-error-log.ts';
import { WebhookFailureService } from './webhook-failure.service.ts';
import { webhookProcessor } from './webhook.processor.ts';
import { webhookMetrics } from './webhook.metrics.ts';
import { webhookBackoffStrategy } from './webhook-retry-policy.ts';
import { WebhookService } from './webhook.service.ts';

/** Starts the `webhooks` queue worker (inbox events → orders) with the webhook retry schedule. */
export function registerWebhooks(deps: WorkerDeps): Worker<WebhookJobData> {
  const logger = deps.logger.child({ module: 'webhooks' });
  const metrics = webhookMetrics(deps.metrics);
  const alerter = createAlerter({ logger, url: deps.config.ALERT_WEBHOOK_URL, service: 'worker' });
  const processor = webhookProcessor({
    service: new WebhookService({ mongo: deps.mongo, payments: deps.payments, logger }),
    failures: new WebhookFailureService({
      mongo: deps.mongo,
      logger,
      alerter,
      metrics,
      timeScale: deps.config.WEBHOOK_RETRY_TIME_SCALE,
    }),
    metrics,
    logger,
  });
  const worker = new Worker<WebhookJobData>(QUEUES.webhooks, processor, {
    connection: deps.queueRedis,
    prefix: deps.config.QUEUE_PREFIX,
    concurrency: deps.config.WORKER_CONCURRENCY,
    settings: { backoffStrategy: webhookBackoffStrategy(deps.config.WEBHOOK_RETRY_TIME_SCALE) },
  });
  worker.on('error', throttledErrorLog(logger, 'webhooks worker'));
  // close() stops taking jobs and waits for the active ones.
  deps.onClose(() => worker.close());
  return worker;
}
