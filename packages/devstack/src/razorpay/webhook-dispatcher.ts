import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { StoppableSleeps } from '@storefront/shared';
import type { WebhookDropper } from './sandbox-faults.ts';
import { preciseNow, randomId14, unixSeconds } from './sandbox-ids.ts';
import type { DeliverOptions, DeliveryRecord } from './sandbox.types.ts';

/** One webhook event to send: its name, what it contains and the entity snapshots. */
export interface WebhookEventSpec {
  event: string;
  contains: string[];
  payload: Record<string, { entity: unknown }>;
}

/** Where and as whom the events of one payment go. */
export interface DispatchTarget {
  keyId: string;
  accountId: string;
  webhookSecret: string;
  url: string;
  orderId: string;
  paymentId: string;
}

/** Retry and timeout settings of a sandbox. */
export interface DispatchSettings {
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
}

interface PreparedEvent {
  eventId: string;
  event: string;
  body: Buffer;
  signature: string;
}

interface Copy {
  prepared: PreparedEvent;
  record: DeliveryRecord;
}

interface AttemptOutcome {
  statusCode: number | null;
  error?: string;
}

/**
 * Sends signed webhooks the way Razorpay does: raw JSON body, HMAC-SHA256 signature over those
 * bytes, one event id per event shared by its redeliveries, retries with exponential backoff.
 */
export class WebhookDispatcher {
  private readonly settings: DispatchSettings;
  private readonly dropper: WebhookDropper;
  private readonly onRecord: (record: DeliveryRecord) => void;
  private readonly pending = new Set<Promise<void>>();
  // A drop has thousands of attempts and retry pauses waiting at once: they are tracked here and
  // ended by stop(), not by one AbortSignal listener each (StoppableSleeps says why).
  private readonly pauses = new StoppableSleeps();
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent: https.Agent;

  /** `extraCa`: PEM certificates trusted for https:// receivers besides Node's default CAs. */
  constructor(
    settings: DispatchSettings,
    dropper: WebhookDropper,
    onRecord: (record: DeliveryRecord) => void,
    extraCa?: string | Buffer | Array<string | Buffer>,
  ) {
    this.settings = settings;
    this.dropper = dropper;
    this.onRecord = onRecord;
    // `ca` replaces the default list, so keep the defaults (bundled, NODE_EXTRA_CA_CERTS, system
    // store when enabled) and add to them: a public https receiver still verifies.
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 64,
      ...(extraCa === undefined
        ? {}
        : { ca: [...tls.getCACertificates('default'), ...[extraCa].flat()] }),
    });
  }

  /**
   * Records a delivery per copy of each event and starts sending them; `done` resolves when every
   * copy was delivered, failed for good, or dropped. First attempts go out one after another in
   * list order; retries run on their own timers, so a retried event can arrive after later ones.
   */
  dispatch(
    target: DispatchTarget,
    events: WebhookEventSpec[],
    deliver: DeliverOptions = {},
  ): { records: DeliveryRecord[]; done: Promise<void> } {
    const prepared = events.map((spec) => prepare(target, spec));
    const times = deliver.times ?? 1;
    const copies: Copy[] = [];
    for (let copy = 1; copy <= times; copy += 1) {
      for (const event of prepared) {
        const dropped = deliver.drop === true || this.dropper.shouldDrop(target.keyId);
        const record: DeliveryRecord = {
          eventId: event.eventId,
          event: event.event,
          keyId: target.keyId,
          orderId: target.orderId,
          paymentId: target.paymentId,
          url: target.url,
          copy,
          status: dropped ? 'dropped' : 'pending',
          attempts: 0,
          statusCode: null,
          createdAt: preciseNow(),
        };
        if (dropped) record.finishedAt = record.createdAt;
        copies.push({ prepared: event, record });
      }
    }
    if (deliver.shuffle === true) shuffle(copies);
    for (const { record } of copies) this.onRecord(record);

    const settings: DispatchSettings = {
      ...this.settings,
      ...(deliver.retries === undefined ? {} : { retries: deliver.retries }),
      ...(deliver.retryDelayMs === undefined ? {} : { retryDelayMs: deliver.retryDelayMs }),
    };
    const done = this.track(this.run(target.url, copies, settings, deliver.delayMs ?? 0));
    return { records: copies.map((copy) => copy.record), done };
  }

  /** Resolves once no delivery is in flight or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Abandons pending retries, aborts attempts in flight and closes kept-alive sockets. */
  async stop(): Promise<void> {
    this.pauses.stop();
    for (const request of this.inFlight) request.destroy(new Error('sandbox stopped'));
    await this.idle();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private track(work: Promise<void>): Promise<void> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
    return work;
  }

  private async run(
    url: string,
    copies: Copy[],
    settings: DispatchSettings,
    delayMs: number,
  ): Promise<void> {
    const live = copies.filter((copy) => copy.record.status === 'pending');
    if (live.length === 0) return;
    if (delayMs > 0 && !(await this.pause(delayMs))) {
      for (const { record } of live) giveUp(record, 'sandbox stopped');
      return;
    }
    const target = new URL(url);
    const finals: Promise<void>[] = [];
    for (const copy of live) {
      const { promise: firstAttempt, resolve } = Promise.withResolvers<void>();
      finals.push(this.deliver(target, copy, settings, resolve));
      await firstAttempt;
    }
    await Promise.all(finals);
  }

  private async deliver(
    url: URL,
    { prepared, record }: Copy,
    settings: DispatchSettings,
    onFirstAttempt: () => void,
  ): Promise<void> {
    const maxAttempts = 1 + Math.max(0, settings.retries);
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      if (this.pauses.isStopped) {
        giveUp(record, 'sandbox stopped');
        break;
      }
      record.attempts = attempt;
      const outcome = await this.post(url, prepared, settings.timeoutMs);
      record.statusCode = outcome.statusCode;
      if (outcome.error === undefined) delete record.error;
      else record.error = outcome.error;
      if (attempt === 1) onFirstAttempt();
      const ok =
        outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
      if (ok) {
        record.status = 'delivered';
        record.finishedAt = preciseNow();
        break;
      }
      if (
        attempt === maxAttempts ||
        !(await this.pause(settings.retryDelayMs * 2 ** (attempt - 1)))
      ) {
        giveUp(record, record.error ?? `answered ${record.statusCode ?? 'nothing'}`);
        break;
      }
    }
    onFirstAttempt();
  }

  /** Sleeps unless the sandbox stops meanwhile; false when it stopped. */
  private pause(ms: number): Promise<boolean> {
    return this.pauses.sleep(ms);
  }

  private post(url: URL, event: PreparedEvent, timeoutMs: number): Promise<AttemptOutcome> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (outcome: AttemptOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const request = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': event.body.length,
          'User-Agent': 'Razorpay-Webhook/v1',
          'X-Razorpay-Event-Id': event.eventId,
          'X-Razorpay-Signature': event.signature,
        },
      });
      this.inFlight.add(request);
      request.once('close', () => this.inFlight.delete(request));
      // The clock starts when a socket is assigned, so waiting in the agent's queue behind other
      // deliveries (thousands at once in load tests) does not count against the receiver.
      request.once('socket', () => {
        if (settled) return;
        timer = setTimeout(() => {
          settle({ statusCode: null, error: `no complete answer within ${timeoutMs} ms` });
          request.destroy();
        }, timeoutMs);
      });
      request.on('response', (response) => {
        response.on('error', (err) => settle({ statusCode: null, error: err.message }));
        response.on('end', () => settle({ statusCode: response.statusCode ?? null }));
        response.resume();
      });
      request.on('error', (err) => settle({ statusCode: null, error: err.message }));
      request.end(event.body);
    });
  }
}

function prepare(target: DispatchTarget, spec: WebhookEventSpec): PreparedEvent {
  // Serialised once, now: the payload is a snapshot at event time, and every copy carries
  // exactly these bytes.
  const body = Buffer.from(
    JSON.stringify({
      entity: 'event',
      account_id: target.accountId,
      event: spec.event,
      contains: spec.contains,
      payload: spec.payload,
      created_at: unixSeconds(),
    }),
  );
  return {
    eventId: randomId14(),
    event: spec.event,
    body,
    signature: createHmac('sha256', target.webhookSecret).update(body).digest('hex'),
  };
}

function giveUp(record: DeliveryRecord, error: string | undefined): void {
  record.status = 'failed';
  if (error !== undefined) record.error = error;
  record.finishedAt = preciseNow();
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    const a = items[i];
    const b = items[j];
    if (a === undefined || b === undefined) continue;
    items[i] = b;
    items[j] = a;
  }
}
