import type { DlqListItem, WebhookDlqEntry } from '@storefront/shared';
import type {
  DlqDiscardBody,
  DlqEntryBody,
  DlqListItemBody,
  DlqReplayBody,
} from '../openapi/response.schemas.ts';

/** A listed DLQ entry as operators get it: field by field, so nothing stored leaks by default. */
export function dlqListItemView(e: DlqListItem): DlqListItemBody {
  return {
    _id: e._id,
    event_id: e.event_id,
    account: e.account,
    event_type: e.event_type,
    retry_count: e.retry_count,
    next_retry_at: e.next_retry_at?.toISOString() ?? null,
    error_message: e.error_message,
    status: e.status,
    permanent: e.permanent,
    created_at: e.created_at.toISOString(),
    updated_at: e.updated_at.toISOString(),
    ...(e.dead_at && { dead_at: e.dead_at.toISOString() }),
    replay_count: e.replay_count,
    ...(e.replayed_at && { replayed_at: e.replayed_at.toISOString() }),
    ...(e.discarded_at && { discarded_at: e.discarded_at.toISOString() }),
    ...(e.discard_reason !== undefined && { discard_reason: e.discard_reason }),
  };
}

/** One DLQ entry with its stored payload. */
export function dlqEntryView(e: WebhookDlqEntry): DlqEntryBody {
  return { ...dlqListItemView(e), webhook_payload: e.webhook_payload };
}

/** The answer to replaying one entry. */
export function dlqReplayView(e: WebhookDlqEntry): DlqReplayBody {
  return { id: e._id, status: e.status, retry_count: e.retry_count };
}

/** The answer to discarding one entry. */
export function dlqDiscardView(e: WebhookDlqEntry): DlqDiscardBody {
  return {
    id: e._id,
    status: e.status,
    ...(e.discard_reason !== undefined && { discard_reason: e.discard_reason }),
  };
}
