import { randomUUID } from 'node:crypto';
import {
  apiBusChannel,
  busChannelForClient,
  isRedisCluster,
  ORDER_NOTICES_CHANNEL,
  orderIdsInNotice,
  publishOnBus,
  type Logger,
  type Redis,
} from '@storefront/shared';

interface InvalidationMessage {
  /** Invalidation id, echoed in acknowledgements. */
  id: string;
  /** Instance id of the publisher; acknowledgements go to its ack channel. */
  from: string;
  usernames: string[];
  /**
   * The writer's invalidation is in Redis: what a receiver reads now is the new version, so it may
   * read it in place of its copy before acknowledging. Absent (a writer whose Redis invalidation
   * failed, or a process of an earlier version): drop the copy.
   */
  refill?: boolean;
}

/** How long a sharded subscription may take to echo its probe before it counts as not working. */
const PROBE_TIMEOUT_MS = 1_000;
/** Pause between attempts to subscribe again after a sharded subscription was lost. */
const RESUBSCRIBE_DELAY_MS = 200;

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
  /**
   * Settles the named entries: drops them, or with `refill` may read them again first. The ack is
   * sent once it returns, or once the promise it returns settles.
   */
  onInvalidate: (usernames: string[], fromSelf: boolean, refill: boolean) => void | Promise<void>;
  /** The subscription went up or down: every memory entry must go. */
  onReset: () => void;
  /**
   * Orders the worker announced delivered (`publishOrderNotices`); subscribed to only when given.
   * Rides on the bus's subscription, so it is live exactly when `live` is.
   */
  onOrderNotice?: (orderIds: string[]) => void;
}

/**
 * Tells every API process to drop storefront entries, and learns whether all of them did.
 *
 * Each process subscribes to one invalidation channel and to an ack channel of its own. A
 * publisher learns from PUBLISH how many subscribers received the message; each receiver drops
 * its entries on receipt (or, when the message says the new version is in Redis, reads it in
 * their place) and then acknowledges. `publish` resolves true once every
 * receiver acknowledged. While this process is not subscribed (`live` false) it must not serve
 * from memory, since it would miss invalidations; `epoch` changes whenever `live` does, so a fill
 * that started under one subscription cannot store into memory under the next.
 *
 * On Redis Cluster, PUBLISH is broadcast to every node but counts only the receivers of the node
 * that ran it, so the count would be incomplete. There the bus uses sharded pub/sub (SSUBSCRIBE /
 * SPUBLISH, Redis >= 7.0) on channels that share one hash tag: every process subscribes on the
 * primary owning that slot, and SPUBLISH there counts all of them.
 */
export class StoreInvalidationBus {
  readonly instanceId = randomUUID();
  live = false;
  epoch = 0;
  private readonly channel: string;
  private readonly ackChannel: string;
  private readonly ordersChannel: string | undefined;
  private readonly pending = new Map<string, PendingAck>();
  private closed = false;
  private readonly opts: StoreInvalidationBusOptions;
  private readonly sharded: boolean;
  private readonly probes = new Map<string, () => void>();
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(opts: StoreInvalidationBusOptions) {
    this.opts = opts;
    this.sharded = isRedisCluster(opts.subscriber);
    this.channel = this.channelName('invalidate');
    this.ackChannel = this.channelName(`ack:${this.instanceId}`);
    this.ordersChannel = opts.onOrderNotice ? this.channelName(ORDER_NOTICES_CHANNEL) : undefined;
  }

  /** One node keeps today's names; on Cluster the `{store-bus}` tag puts every channel in one slot. */
  private channelName(suffix: string): string {
    return apiBusChannel(this.opts.channelPrefix, this.sharded, suffix);
  }

  /** Every channel this process subscribes to. */
  private channels(): string[] {
    return [this.channel, this.ackChannel, ...(this.ordersChannel ? [this.ordersChannel] : [])];
  }

  private send(channel: string, message: string): Promise<number> {
    return publishOnBus(this.opts.publisher, channel, message, this.sharded);
  }

  /** Subscribes now and after every reconnect. */
  start(): void {
    const sub = this.opts.subscriber;
    sub.on(this.sharded ? 'smessage' : 'message', (channel: string, message: string) =>
      this.onMessage(channel, message),
    );
    sub.on('ready', () => this.subscribe());
    sub.on('close', () => this.setLive(false));
    if (this.sharded) {
      // A sharded subscription lives on a connection to the slot's primary that the Cluster
      // client manages: losing it (the primary failing over) shows as '-node' or '-subscriber',
      // not as 'close' of the client.
      sub.on('-node', () => this.subscriptionLost());
      sub.on('-subscriber', () => this.subscriptionLost());
      sub.on('subscribersReady', () => this.subscribe());
    }
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
   * True when all did; false on timeout or when Redis could not take the message. `refill`: see
   * InvalidationMessage.
   */
  async publish(usernames: string[], timeoutMs: number, refill = false): Promise<boolean> {
    const msg: InvalidationMessage = {
      id: randomUUID(),
      from: this.instanceId,
      usernames,
      ...(refill ? { refill } : {}),
    };
    let timer: NodeJS.Timeout | undefined;
    const acked = new Promise<boolean>((resolve) => {
      // Registered before PUBLISH: our own ack can arrive before PUBLISH's reply does.
      this.pending.set(msg.id, { acks: 0, expected: Infinity, done: () => resolve(true) });
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      const receivers = await this.send(this.channel, JSON.stringify(msg));
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
    clearTimeout(this.retryTimer);
    this.setLive(false);
    for (const p of this.pending.values()) p.expected = Infinity;
  }

  private subscribe(): void {
    if (this.closed) return;
    if (this.sharded) {
      void this.subscribeSharded();
      return;
    }
    const sub = this.opts.subscriber;
    sub.subscribe(...this.channels()).then(
      () => this.setLive(true),
      (err: unknown) => this.opts.logger.warn('storefront invalidation subscribe failed', { err }),
    );
  }

  /**
   * Subscribes on the slot's current primary and goes live only once a probe sent with SPUBLISH
   * came back through the subscription: proof that invalidations published now reach this
   * process and are counted. Until then, and after every loss, it retries.
   */
  private async subscribeSharded(): Promise<void> {
    const attempt = ++this.attempts;
    const sub = this.opts.subscriber;
    const probe = `probe:${randomUUID()}`;
    let timer: NodeJS.Timeout | undefined;
    const heard = new Promise<boolean>((resolve) => {
      this.probes.set(probe, () => resolve(true));
      timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    });
    let ok = false;
    try {
      await sub.ssubscribe(...this.channels().map((c) => busChannelForClient(sub, c, true)));
      await this.send(this.ackChannel, probe);
      ok = await heard;
    } catch (err) {
      this.opts.logger.warn('storefront invalidation subscribe failed', { err });
    } finally {
      clearTimeout(timer);
      this.probes.delete(probe);
    }
    if (this.closed || attempt !== this.attempts) return;
    if (ok) this.setLive(true);
    else this.subscriptionLost();
  }

  private subscriptionLost(): void {
    this.setLive(false);
    if (this.closed || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.subscribe();
    }, RESUBSCRIBE_DELAY_MS);
    this.retryTimer.unref();
  }

  private setLive(live: boolean): void {
    if (this.live === live || (live && this.closed)) return;
    this.live = live;
    this.epoch += 1;
    this.opts.onReset();
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.ordersChannel) {
      const ids = orderIdsInNotice(message);
      if (ids.length > 0) this.opts.onOrderNotice?.(ids);
      return;
    }
    if (channel === this.ackChannel && message.startsWith('probe:')) {
      this.probes.get(message)?.();
      return;
    }
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
    const settled = this.opts.onInvalidate(
      msg.usernames.filter((u) => typeof u === 'string'),
      fromSelf,
      msg.refill === true,
    );
    const ack = (): void => {
      if (fromSelf) {
        this.onMessage(this.ackChannel, msg.id);
        return;
      }
      this.send(this.channelName(`ack:${msg.from}`), msg.id).catch((err: unknown) => {
        this.opts.logger.warn('storefront invalidation ack failed', { err });
      });
    };
    if (settled) settled.then(ack, ack);
    else ack();
  }
}
