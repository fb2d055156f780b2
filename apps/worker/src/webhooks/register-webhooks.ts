import { Worker } from 'bullmq';
import { QUEUES, type WebhookJobData, throttledErrorLog } from '@storefront/shared';
import type { WorkerDeps } from '../deps.ts';
import { supervisedWorker, type SupervisedWorker } from '../worker-supervisor.ts';
import { WebhookFailureService } from './webhook-failure.service.ts';
import { webhookProcessor } from './webhook.processor.ts';
import { webhookMetrics, type WebhookMetrics } from './webhook.metrics.ts';
import { webhookBackoffStrategy } from './webhook-retry-policy.ts';
import { WebhookService } from './webhook.service.ts';

/** The webhook services, built once per worker process (the sweeper shares `failures`). */
export interface WebhookServices {
  service: WebhookService;
  failures: WebhookFailureService;
  metrics: WebhookMetrics;
}

/** Builds the webhook services from the worker's graph. */
export function createWebhookServices(deps: WorkerDeps): WebhookServices {
  const logger = deps.logger.child({ module: 'webhooks' });
  const { webhookEvents: events, dlq, orders, transactions } = deps.repos;
  const metrics = webhookMetrics(deps.metrics);
  return {
    service: new WebhookService({
      events,
      dlq,
      orders,
      transactions,
      payments: deps.payments,
      logger,
    }),
    failures: new WebhookFailureService({
      events,
      dlq,
      logger,
      alerter: deps.alerter,
      metrics,
      timeScale: deps.config.WEBHOOK_RETRY_TIME_SCALE,
    }),
    metrics,
  };
}

/** Starts the `webhooks` queue worker (inbox events → orders) with the webhook retry schedule. */
export function registerWebhooks(
  deps: WorkerDeps,
  webhooks: WebhookServices,
): SupervisedWorker<Worker<WebhookJobData>> {
  const logger = deps.logger.child({ module: 'webhooks' });
  const processor = webhookProcessor({
    service: webhooks.service,
    failures: webhooks.failures,
    metrics: webhooks.metrics,
    logger,
  });
  // close() stops taking jobs and waits for the active ones.
  const supervised = supervisedWorker(deps, deps.producers.webhooks, () => {
    const worker = new Worker<WebhookJobData>(QUEUES.webhooks, processor, {
      connection: deps.queueRedis,
      prefix: deps.config.QUEUE_PREFIX,
      concurrency: deps.config.WORKER_CONCURRENCY,
      lockDuration: deps.config.WORKER_LOCK_DURATION_MS,
      stalledInterval: deps.config.WORKER_STALLED_INTERVAL_MS,
      settings: { backoffStrategy: webhookBackoffStrategy(deps.config.WEBHOOK_RETRY_TIME_SCALE) },
    });
    worker.on('error', throttledErrorLog(logger, 'webhooks worker'));
    return worker;
  });
  deps.onClose(() => supervised.close());
  return supervised;
}
