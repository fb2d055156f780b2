import {
  AppError,
  FieldDecryptionError,
  ServiceUnavailableError,
  ValidationError,
  verifyWebhookSignature,
  withTimeout,
  type Logger,
  type RazorpayCredentialStore,
  type WebhookEventRepository,
} from '@storefront/shared';
import { LRUCache } from 'lru-cache';
import { sanitizeWebhookPayload } from './webhook-payload.sanitizer.ts';

// Razorpay gives up on an answer after 5 s. Storing the event must be decided well before that;
// the queue is only the fast path, so it gets what is left of a short budget. A timed-out write
// may still finish later: for the inbox that is harmless (the retry is a duplicate), for the
// queue too (job ids are deterministic).
const STORE_BUDGET_MS = 3_000;
const ENQUEUE_BUDGET_MS = 1_000;
/** Razorpay's `X-Razorpay-Event-Id` alphabet and length, as the ingest route accepts them. */
export const EVENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
// Event ids this process saw stored in the inbox: a copy of one (Razorpay retrying an answer it
// found slow, or sending twice) is answered `duplicate` after its signature is verified, without
// parsing it or asking MongoDB, whose unique index would only say the same: inbox documents are
// never deleted. Retries bunch up exactly when the API is slow, in a drop. Bounded in number and
// age; a copy that arrives later, or at another process, goes to MongoDB as before.
const STORED_IDS_MAX = 20_000;
const STORED_IDS_TTL_MS = 10 * 60_000;

/** The signature did not verify with the account's webhook secret (nothing was stored). */
export class BadSignatureError extends AppError {
  constructor() {
    super('INVALID_SIGNATURE', 400, 'Webhook signature is missing or invalid');
  }
}

/** One webhook request as the route received it. */
export interface IncomingWebhook {
  /** `platform` or a creator id (from the URL). */
  account: string;
  rawBody: Buffer;
  signature: string | undefined;
  eventId: string | undefined;
}

export interface WebhookIngestDeps {
  credentials: RazorpayCredentialStore;
  logger: Logger;
  inbox: WebhookEventRepository;
  /** Queues processing of a stored event; may fail (Redis down): the sweeper catches up. */
  enqueue: (eventId: string) => Promise<void>;
  onEnqueueFailure: (eventId: string, err: unknown) => void;
}

/**
 * Accepts a Razorpay webhook: verify the signature on the raw bytes (before anything else is
 * looked at), store the sanitized event in the inbox, then enqueue it. Once stored, the event is
 * acknowledged even if the queue is unreachable. Throws BadSignatureError / ValidationError
 * (400, nothing stored) or ServiceUnavailableError (503: Razorpay retries).
 */
export class WebhookIngestService {
  private readonly deps: WebhookIngestDeps;
  private readonly storedIds = new LRUCache<string, true>({
    max: STORED_IDS_MAX,
    ttl: STORED_IDS_TTL_MS,
  });

  constructor(deps: WebhookIngestDeps) {
    this.deps = deps;
  }

  async ingest(webhook: IncomingWebhook): Promise<'accepted' | 'duplicate'> {
    const deadline = Date.now() + STORE_BUDGET_MS;
    const creds = await this.credentials(webhook.account, deadline);
    if (!verifyWebhookSignature(webhook.rawBody, webhook.signature, creds.webhookSecret)) {
      throw new BadSignatureError();
    }
    const eventId = webhook.eventId;
    if (eventId === undefined || !EVENT_ID.test(eventId)) {
      throw new ValidationError('X-Razorpay-Event-Id header is missing or malformed');
    }
    if (this.storedIds.has(eventId)) return 'duplicate';
    const body = parseJson(webhook.rawBody);
    if (!body || typeof body.event !== 'string' || body.event === '') {
      throw new ValidationError('Webhook body is not a Razorpay event');
    }

    let stored: Awaited<ReturnType<WebhookEventRepository['insert']>>;
    try {
      stored = await withTimeout(
        this.deps.inbox.insert({
          _id: eventId,
          // The account whose secret verified the event: the one to ask Razorpay about it.
          account: creds.account,
          event: body.event,
          payload: sanitizeWebhookPayload(body),
        }),
        deadline - Date.now(),
      );
    } catch (err) {
      throw new ServiceUnavailableError('Webhook could not be stored; retry later', err);
    }
    // In the inbox now (by this request or an earlier one): later copies need not ask again.
    this.storedIds.set(eventId, true);
    if (stored === 'duplicate') return 'duplicate';

    try {
      await withTimeout(this.deps.enqueue(eventId), ENQUEUE_BUDGET_MS);
    } catch (err) {
      this.deps.onEnqueueFailure(eventId, err);
    }
    return 'accepted';
  }

  private async credentials(account: string, deadline: number) {
    try {
      return await withTimeout(this.deps.credentials.resolve(account), deadline - Date.now());
    } catch (err) {
      if (err instanceof AppError && !(err instanceof FieldDecryptionError)) throw err;
      if (err instanceof FieldDecryptionError) {
        this.deps.logger.error('webhook secret cannot be decrypted', { alert: true, account, err });
      }
      // Database trouble or undecryptable secrets: we cannot verify, so Razorpay must retry.
      throw new ServiceUnavailableError('Webhook cannot be verified right now; retry later', err);
    }
  }
}

function parseJson(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
