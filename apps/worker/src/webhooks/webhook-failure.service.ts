import { UnrecoverableError } from 'bullmq';
import type { Logger, WebhookDlqRepository, WebhookEventRepository } from '@storefront/shared';
import type { Alerter } from '../alerts/alert.service.ts';
import { PermanentWebhookError, ScheduledRetryError } from './webhook-errors.ts';
import type { WebhookMetrics } from './webhook.metrics.ts';
import { MAX_WEBHOOK_RETRIES, retryDelayMs } from './webhook-retry-policy.ts';

/** What became of a failed attempt. */
export type FailureDecision =
  | { kind: 'retry'; event: string; delayMs: number; retryCount: number }
  | { kind: 'dead'; event: string; retryCount: number }
  /** The event finished, was discarded or vanished meanwhile: nothing to retry. */
  | { kind: 'gone' };

/**
 * Records a failed attempt where it survives Redis: the inbox's attempt count decides between a
 * retry (on the schedule) and `dead`; the DLQ mirrors the outcome for operators; a dead event
 * raises an alert.
 */
export class WebhookFailureService {
  private readonly deps: {
    events: WebhookEventRepository;
    dlq: WebhookDlqRepository;
    logger: Logger;
    alerter: Alerter;
    metrics: WebhookMetrics;
    timeScale: number;
  };
  constructor(deps: WebhookFailureService['deps']) {
    this.deps = deps;
  }

  /** Records the failure of `eventId`; throws only when MongoDB cannot take the record. */
  async recordFailure(eventId: string, err: unknown): Promise<FailureDecision> {
    const message = err instanceof Error ? err.message : String(err);
    const permanent = err instanceof PermanentWebhookError || err instanceof UnrecoverableError;
    const ev = await this.deps.events.recordFailedAttempt(eventId, message);
    if (!ev) return { kind: 'gone' };
    // attempts counts failures; the first failure is followed by retry 1.
    const retryCount = ev.attempts - 1;
    if (permanent || retryCount >= MAX_WEBHOOK_RETRIES) {
      await this.deps.dlq.upsertFailure({
        event: ev,
        errorMessage: message,
        retryCount,
        nextRetryAt: null,
        status: 'dead',
        permanent,
      });
      // Alert before the inbox says dead: a crash in between leaves the event unfinished, so it is
      // processed again and alerts again (at least once), instead of dead with no alert at all.
      await this.deps.alerter.raise({
        kind: 'webhook_dead',
        message: permanent
          ? `webhook event ${eventId} (${ev.event}) failed permanently and is dead`
          : `webhook event ${eventId} (${ev.event}) is dead after ${retryCount} retries`,
        details: {
          eventId,
          eventType: ev.event,
          account: ev.account,
          retryCount,
          permanent,
          error: message,
        },
      });
      await this.deps.events.markDead(eventId);
      this.deps.metrics.dead.inc();
      return { kind: 'dead', event: ev.event, retryCount };
    }
    const delayMs = retryDelayMs(retryCount + 1, this.deps.timeScale);
    await this.deps.dlq.upsertFailure({
      event: ev,
      errorMessage: message,
      retryCount,
      nextRetryAt: new Date(Date.now() + delayMs),
      status: 'pending',
      permanent: false,
    });
    this.deps.metrics.retried.inc();
    this.deps.logger.warn('webhook event failed; retry scheduled', {
      eventId,
      eventType: ev.event,
      retry: retryCount + 1,
      delayMs,
      error: message,
    });
    return { kind: 'retry', event: ev.event, delayMs, retryCount };
  }
}

/** Turns a recorded decision into what the processor throws to BullMQ. */
export function toJobError(decision: FailureDecision, message: string): Error | null {
  switch (decision.kind) {
    case 'retry':
      return new ScheduledRetryError(message, decision.delayMs);
    case 'dead':
      return new UnrecoverableError(message);
    case 'gone':
      return null;
  }
}
