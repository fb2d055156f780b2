import type { Job } from 'bullmq';
import { runWithContext, type Logger, type WebhookJobData } from '@storefront/shared';
import type { WebhookFailureService } from './webhook-failure.service.ts';
import { toJobError } from './webhook-failure.service.ts';
import { eventLabel, type WebhookMetrics } from './webhook.metrics.ts';
import type { WebhookService } from './webhook.service.ts';

/**
 * The `webhooks` job processor: processes the inbox event named by the job and, on failure,
 * records it (inbox attempts, DLQ, alert) before handing BullMQ the retry decision.
 */
export function webhookProcessor(deps: {
  service: WebhookService;
  failures: WebhookFailureService;
  metrics: WebhookMetrics;
  logger: Logger;
}) {
  return (job: Job<WebhookJobData>): Promise<string> =>
    runWithContext({ jobId: job.id, queue: job.queueName }, async () => {
      const { eventId } = job.data;
      const started = process.hrtime.bigint();
      let event = 'unknown';
      try {
        const result = await deps.service.process(eventId);
        event = result.event;
        deps.metrics.processed.inc({ event: eventLabel(event), outcome: result.outcome });
        return result.outcome;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // If even the failure cannot be recorded (MongoDB down), BullMQ retries on its own count
        // and the sweeper re-queues the event should BullMQ give up first.
        const decision = await deps.failures
          .recordFailure(eventId, err)
          .catch((recordErr: unknown) => {
            deps.logger.error('webhook failure could not be recorded', { eventId, err: recordErr });
            throw err;
          });
        if (decision.kind !== 'gone') event = decision.event;
        deps.metrics.processed.inc({ event: eventLabel(event), outcome: decision.kind });
        const jobError = toJobError(decision, message);
        if (jobError) throw jobError;
        return 'gone';
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        deps.metrics.duration.observe({ event: eventLabel(event) }, seconds);
      }
    });
}
