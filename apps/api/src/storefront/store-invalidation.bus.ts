import { randomUUID } from 'node:crypto';
import type { Logger, Redis } from '@storefront/shared';

interface InvalidationMessage {
  /** Invalidation id, echoed in acknowledgements. */
  id: string;
  /** Instance id of the publisher; acknowledgements go to its ack channel. */
  from: string;
  usernames: string[];
}

interface PendingAck {
  acks: number;
  expected: number;
  done: () => void;
}

export interface StoreInvalidationBusOptions {
  /** Connection for PUBLISH (acks and invalidations). */
  publisher: Redis;
  /** Connection in subscriber mode, used for nothing else. */
  subscriber: Redis;
  /** REDIS_KEY_PREFIX: channels are not keys, so the client does not prefix them. */
  channelPrefix: string;
  logger: Logger;
  /** Drops the named entries (synchronously: the ack is sent right after). */
  onInvalidate: (usernames: string[], fromSelf: boolean) => void;
  /** The subscription went up or down: every memory entry must go. */
  onReset: () => void;
}

/**
 * Tells every API process to drop storefront entries, and learns whether all of them did.
 *
 * Each process subscribes to one invalidation channel and to an ack channel of its own. A
 * publisher learns from PUBLISH how many subscribers received the message; each receiver drops
 * its entries synchronously on receipt and then acknowledges. `publish` resolves true once every
 * receiver acknowledged. While this process is not subscribed (`live` false) it must not serve
 * from memory, since it would miss invalidations; `epoch` changes whenever `live` does, so a fill
 * that started under one subscription cannot store into memory under the next.
 */
export class StoreInvalidationBus {
  readonly instanceId = randomUUID();
  live = false;
  epoch = 0;
  private readonly channel: string;
  private readonly ackChannel: string;
  private readonly pending = new Map<string, PendingAck>();
  private closed = false;
  private readonly opts: StoreInvalidationBusOptions;

  constructor(opts: StoreInvalidationBusOptions) {
    this.opts = opts;
    this.channel = `${opts.channelPrefix}store:invalidate`;
    this.ackChannel = `${opts.channelPrefix}store:ack:${this.instanceId}`;
  }

  /** Subscribes now and after every reconnect. */
  start(): void {
    const sub = this.opts.subscriber;
    sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    sub.on('ready', () => this.subscribe());
    sub.on('close', () => this.setLive(false));
    if (sub.status === 'ready') this.subscribe();
  }

  /** Resolves once `live` is true (or immediately if it already is). */
  async whenLive(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.live && !this.closed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.live;
  }

  /**
   * Publishes an invalidation and waits up to `timeoutMs` for every receiver to acknowledge.
   * True when all did; false on timeout or when Redis could not take the message.
   */
  async publish(usernames: string[], timeoutMs: number): Promise<boolean> {
    const msg: InvalidationMessage = { id: randomUUID(), from: this.instanceId, usernames };
    let timer: NodeJS.Timeout | undefined;
    const acked = new Promise<boolean>((resolve) => {
      // Registered before PUBLISH: our own ack can arrive before PUBLISH's reply does.
      this.pending.set(msg.id, { acks: 0, expected: Infinity, done: () => resolve(true) });
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      const receivers = await this.opts.publisher.publish(this.channel, JSON.stringify(msg));
      const p = this.pending.get(msg.id);
      if (p) {
        p.expected = receivers;
        if (p.acks >= receivers) p.done();
      }
      return await acked;
    } catch (err) {
      this.opts.logger.warn('storefront invalidation publish failed', { err });
      return false;
    } finally {
      clearTimeout(timer);
      this.pending.delete(msg.id);
    }
  }

  close(): void {
    this.closed = true;
    this.setLive(false);
    for (const p of this.pending.values()) p.expected = Infinity;
  }

  private subscribe(): void {
    if (this.closed) return;
    this.opts.subscriber.subscribe(this.channel, this.ackChannel).then(
      () => this.setLive(true),
      (err: unknown) => this.opts.logger.warn('storefront invalidation subscribe failed', { err }),
    );
  }

  private setLive(live: boolean): void {
    if (this.live === live || (live && this.closed)) return;
    this.live = live;
    this.epoch += 1;
    this.opts.onReset();
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.ackChannel) {
      const p = this.pending.get(message);
      if (p && ++p.acks >= p.expected) p.done();
      return;
    }
    if (channel !== this.channel) return;
    let msg: InvalidationMessage;
    try {
      msg = JSON.parse(message) as InvalidationMessage;
    } catch {
      return;
    }
    if (!Array.isArray(msg.usernames) || typeof msg.id !== 'string' || typeof msg.from !== 'string')
      return;
    const fromSelf = msg.from === this.instanceId;
    this.opts.onInvalidate(
      msg.usernames.filter((u) => typeof u === 'string'),
      fromSelf,
    );
    if (fromSelf) {
      this.onMessage(this.ackChannel, msg.id);
      return;
    }
    this.opts.publisher
      .publish(`${this.opts.channelPrefix}store:ack:${msg.from}`, msg.id)
      .catch((err: unknown) => {
        this.opts.logger.warn('storefront invalidation ack failed', { err });
      });
  }
}
