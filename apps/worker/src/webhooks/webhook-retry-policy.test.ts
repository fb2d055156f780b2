import { describe, expect, it } from 'vitest';
import { WEBHOOK_BACKOFF_TYPE } from '@storefront/shared';
import { ScheduledRetryError } from './webhook-errors.ts';
import {
  MAX_WEBHOOK_RETRIES,
  retryDelayMs,
  webhookBackoffStrategy,
} from './webhook-retry-policy.ts';

describe('webhook retry policy', () => {
  it('when scale is 1, then the schedule is 30 s, 1 min, 5 min, 30 min, 1 h', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 1))).toEqual([
      30_000, 60_000, 300_000, 1_800_000, 3_600_000,
    ]);
    expect(MAX_WEBHOOK_RETRIES).toBe(5);
  });

  it('when a time scale is set, then every step is multiplied by it', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 0.01))).toEqual([
      300, 600, 3_000, 18_000, 36_000,
    ]);
  });

  it('when the processor recorded the failure, then its delay wins over BullMQ’s attempt count', async () => {
    const backoff = webhookBackoffStrategy(1);
    expect(await backoff(1, WEBHOOK_BACKOFF_TYPE, new ScheduledRetryError('x', 1_800_000))).toBe(
      1_800_000,
    );
  });

  it('when nothing was recorded, then BullMQ’s attempt count picks the step', async () => {
    const backoff = webhookBackoffStrategy(1);
    expect(await backoff(2, WEBHOOK_BACKOFF_TYPE, new Error('mongo down'))).toBe(60_000);
    expect(await backoff(9, WEBHOOK_BACKOFF_TYPE, new Error('mongo down'))).toBe(3_600_000);
  });
});
