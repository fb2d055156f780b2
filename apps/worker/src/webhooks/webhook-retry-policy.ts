import { WEBHOOK_BACKOFF_TYPE, WEBHOOK_RETRY_DELAYS_MS } from '@storefront/shared';
import type { BackoffStrategy } from 'bullmq';
import { ScheduledRetryError } from './webhook-errors.ts';

/** Retries after the first attempt; the event is dead when the last one fails. */
export const MAX_WEBHOOK_RETRIES = WEBHOOK_RETRY_DELAYS_MS.length;

/** Delay before retry number `retry` (1-based), scaled by WEBHOOK_RETRY_TIME_SCALE. */
export function retryDelayMs(retry: number, scale: number): number {
  const index = Math.min(Math.max(retry, 1), MAX_WEBHOOK_RETRIES) - 1;
  return Math.round((WEBHOOK_RETRY_DELAYS_MS[index] ?? 0) * scale);
}

/**
 * BullMQ backoff for WEBHOOK_BACKOFF_TYPE. The processor decides each delay from the inbox's
 * attempt count and hands it over in a ScheduledRetryError; when it could not (MongoDB
 * unreachable, so nothing was recorded), BullMQ's own attempt count picks the step.
 */
export function webhookBackoffStrategy(scale: number): BackoffStrategy {
  return (attemptsMade, type, err) => {
    if (err instanceof ScheduledRetryError) return err.delayMs;
    if (type !== WEBHOOK_BACKOFF_TYPE) return retryDelayMs(1, scale);
    return retryDelayMs(attemptsMade, scale);
  };
}
