import { UnrecoverableError } from 'bullmq';

/**
 * The event can never apply as it is (malformed payload, amount mismatch, wrong account): it goes
 * dead at once, without retries, and waits for an operator.
 */
export class PermanentWebhookError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentWebhookError';
  }
}

/** A failure that may pass on its own (e.g. the order write has not landed yet): retried. */
export class RetryableWebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableWebhookError';
  }
}

/**
 * Thrown to BullMQ after a failed attempt was recorded: carries the delay the inbox's attempt count
 * calls for, which the backoff strategy returns (BullMQ's own attempt counter restarts when the
 * sweeper or an operator re-enqueues an event; the inbox's does not).
 */
export class ScheduledRetryError extends Error {
  readonly delayMs: number;
  constructor(message: string, delayMs: number) {
    super(message);
    this.name = 'ScheduledRetryError';
    this.delayMs = delayMs;
  }
}
