import { z } from 'zod';
import { DLQ_STATUSES } from '@storefront/shared';
import { EVENT_ID } from '../webhooks/webhook-ingest.service.ts';

// Event ids are Razorpay's `X-Razorpay-Event-Id` values, as the ingest route accepts them.
export const dlqIdParams = z.object({ id: z.string().regex(EVENT_ID) }).strict();

const eventType = z
  .string()
  .regex(/^[a-z_]+(\.[a-z_]+)*$/)
  .max(64);

/** `GET /api/v1/admin/dlq` query. */
export const listDlqQuery = z
  .object({
    status: z.enum(DLQ_STATUSES).optional(),
    event_type: eventType.optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

/** `POST /api/v1/admin/dlq/replay` body: a filter (default: every dead entry), capped. */
export const bulkReplayBody = z
  .object({
    status: z.enum(DLQ_STATUSES).default('dead'),
    event_type: eventType.optional(),
    limit: z.number().int().min(1).max(1_000).default(1_000),
  })
  .strict();

/** `POST /api/v1/admin/dlq/:id/discard` body. */
export const discardBody = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
