import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import {
  ServiceUnavailableError,
  type Logger,
  type MetricsRegistry,
  type Redis,
} from '@storefront/shared';
import { StoreCacheRepository } from './store-cache.repository.ts';
import { StoreInvalidationBus } from './store-invalidation.bus.ts';
import {
  foundResponse,
  normalizeUsername,
  NOT_FOUND_RESPONSE,
  type StoreResponse,
} from './store-response.ts';
import { StoreMetrics, type StoreTier } from './store.metrics.ts';

/** What writers need: drop storefronts everywhere before answering. */
export interface StoreInvalidator {
  /**
   * Invalidates the storefronts of `usernames` in Redis and in every API process. When it
   * resolves, no API process will serve a version read before the call.
   */
  invalidate(usernames: string[]): Promise<void>;
}

/**
 * The storefronts a creator's write must invalidate: the name the request began with and, when a
 * rename raced with it, the name read after the write (else the new name's storefront could stay
 * cached without the change).
 */
export function storefrontsOfWrite(
  requestUsername: string,
  usernameAfterWrite: string | undefined,
): string[] {
  return usernameAfterWrite !== undefined && usernameAfterWrite !== requestUsername
    ? [requestUsername, usernameAfterWrite]
    : [requestUsername];
}

/** The distinct normalized usernames among `usernames` (ones that cannot be usernames left out). */
function storefrontNames(usernames: readonly string[]): string[] {
  return [...new Set(usernames.map(normalizeUsername).filter((u) => u !== undefined))];
}

export interface StoreCacheOptions {
  /** Fail-fast cache connection (REDIS_KEY_PREFIX applied by the client). */
  redis: Redis;
  /** Dedicated pub/sub connection. Without one, invalidations stay in this process (single-process use). */
  subscriber?: Redis;
  channelPrefix: string;
  /** Reads one storefront from the database: serialized JSON, or null for an unknown username. */
  load: (username: string) => Promise<Buffer | null>;
  memoryTtlMs: number;
  memoryMaxEntries: number;
  redisTtlSeconds: number;
  negativeTtlSeconds: number;
  metrics: MetricsRegistry;
  logger: Logger;
  /** Orders announced delivered on the same subscription (order-waits.ts); needs `subscriber`. */
  onOrderNotice?: (orderIds: string[]) => void;
}

interface MemoryEntry {
  response: StoreResponse;
  /** performance.now() deadline, counted from when the data was read, not when it was stored. */
  expiresAt: number;
}

interface Flight {
  promise: Promise<StoreResponse>;
  /** Set when an invalidation arrived mid-fill: the result is still answered but never stored. */
  invalidated: boolean;
  epoch: number;
  /** A refresh-ahead or a write's replacement nobody is waiting for: not counted as answered. */
  background: boolean;
  /** Set once the fill put its result in memory. */
  stored: boolean;
}

/** How long one process may hold the right to fill a key from MongoDB. */
const LEASE_MS = 2_000;
/** How long a fill waits for another process's lease before reading MongoDB itself. */
const LEASE_WAIT_MS = 2_500;
const POLL_DELAYS_MS = [2, 4, 8, 15, 25];
/** Slack on top of the memory TTL when an invalidation has to wait entries out (timer jitter). */
const WAIT_OUT_SLACK_MS = 20;
/**
 * How long a write (here or in another process) waits for the new version of a storefront held
 * here before dropping the old one.
 */
const REPLACE_WAIT_MS = 1_000;

/**
 * The storefront read path: memory (serialized bytes + headers) → Redis → MongoDB, with misses
 * coalesced per process, a Redis lease against cross-process stampedes, and invalidation that
 * holds across processes. docs/performance.md ("Storefront") explains the guarantees.
 */
export class StoreCache implements StoreInvalidator {
  private readonly opts: StoreCacheOptions;
  private readonly positive: LRUCache<string, MemoryEntry>;
  // Unknown names live apart, so a flood of random names cannot evict real storefronts.
  private readonly negative: LRUCache<string, MemoryEntry>;
  private readonly negativeMemoryTtlMs: number;
  private readonly refreshAheadMs: number;
  private readonly inflight = new Map<string, Flight>();
  private readonly repo: StoreCacheRepository;
  private readonly bus: StoreInvalidationBus | undefined;
  private readonly metrics: StoreMetrics;
  private readonly tokenPrefix = randomUUID();
  private seq = 0;

  constructor(opts: StoreCacheOptions) {
    this.opts = opts;
    this.positive = new LRUCache({ max: opts.memoryMaxEntries });
    this.negative = new LRUCache({ max: Math.max(64, Math.floor(opts.memoryMaxEntries / 4)) });
    this.negativeMemoryTtlMs = Math.min(opts.memoryTtlMs, opts.negativeTtlSeconds * 1000);
    this.refreshAheadMs = opts.memoryTtlMs / 4;
    this.repo = new StoreCacheRepository(opts.redis);
    this.metrics = new StoreMetrics(opts.metrics, () => ({
      positive: this.positive.size,
      negative: this.negative.size,
    }));
    this.bus = opts.subscriber
      ? new StoreInvalidationBus({
          publisher: opts.redis,
          subscriber: opts.subscriber,
          channelPrefix: opts.channelPrefix,
          logger: opts.logger,
          onInvalidate: (usernames, fromSelf, refill) => {
            // This process's own writes: `invalidate` settled its memory before publishing.
            if (fromSelf) return undefined;
            this.metrics.invalidations.remote.inc(usernames.length);
            if (!refill) {
              this.dropLocal(usernames);
              return undefined;
            }
            return this.settle(usernames);
          },
          onReset: () => this.clearMemory(),
          onOrderNotice: opts.onOrderNotice,
        })
      : undefined;
  }

  /** True while order notices can arrive (the bus's subscription is live). */
  get hearsOrderNotices(): boolean {
    return this.bus?.live === true && this.opts.onOrderNotice !== undefined;
  }

  start(): void {
    this.bus?.start();
    this.repo.start((err) => this.redisFailed(err));
  }

  /** Resolves true once the memory tier is usable (the invalidation subscription is live). */
  async whenReady(timeoutMs = 5_000): Promise<boolean> {
    return this.bus ? this.bus.whenLive(timeoutMs) : true;
  }

  close(): void {
    this.bus?.close();
    this.repo.close();
    this.clearMemory();
  }

  /** The in-memory answer for a normalized username, if fresh; synchronous, allocation-free. */
  peek(username: string): StoreResponse | undefined {
    if (this.bus !== undefined && !this.bus.live) return undefined;
    const entry = this.positive.get(username) ?? this.negative.get(username);
    if (entry === undefined) return undefined;
    const left = entry.expiresAt - performance.now();
    if (left <= 0) {
      this.positive.delete(username);
      this.negative.delete(username);
      return undefined;
    }
    if (left < this.refreshAheadMs && entry.response.status === 200) this.refreshAhead(username);
    this.metrics.count('memory', entry.response.status === 200);
    return entry.response;
  }

  /** Loads a normalized username through Redis and MongoDB; concurrent calls share one fill. */
  load(username: string): Promise<StoreResponse> {
    const running = this.inflight.get(username);
    if (running) return running.promise.then((r) => this.counted('coalesced', r));
    return this.startFill(username, false).promise;
  }

  private startFill(username: string, background: boolean): Flight {
    const flight = { invalidated: false, epoch: this.epoch(), background, stored: false } as Flight;
    flight.promise = this.fill(username, flight).finally(() => {
      if (this.inflight.get(username) === flight) this.inflight.delete(username);
    });
    this.inflight.set(username, flight);
    return flight;
  }

  // A hot entry is refreshed from Redis shortly before it expires, while it keeps being served,
  // so requests do not queue behind a refill every TTL. Safe for invalidation: the refresh is an
  // ordinary fill (dropped and never stored if an invalidation lands), and the entry it replaces
  // still expires on its own schedule.
  private refreshAhead(username: string): void {
    if (this.inflight.has(username)) return;
    this.startFill(username, true).promise.catch(() => undefined);
  }

  async invalidate(usernames: string[]): Promise<void> {
    const started = performance.now();
    const names = storefrontNames(usernames);
    if (names.length === 0) return;
    // This process first and synchronously: no fill already running may store what it read, and
    // what it does not hold in memory cannot be served from memory any more.
    const held = this.abandon(names);
    this.metrics.invalidations.local.inc(names.length);
    const inRedis = await this.repo.invalidateOrRetry(names);
    if (inRedis) {
      // Fills started while the invalidation was on its way to Redis may have read it before it.
      this.abandonFills(held);
      const wait = Math.min(REPLACE_WAIT_MS, started + this.opts.memoryTtlMs - performance.now());
      await this.replace(held, wait);
    } else {
      this.dropEntries(held);
    }
    let everyoneDropped = true;
    if (this.bus) {
      const budget = started + this.opts.memoryTtlMs - performance.now();
      everyoneDropped = budget > 0 && (await this.bus.publish(names, budget, inRedis));
    }
    // Without the invalidation in Redis, a fill may have read the old value again meanwhile.
    if (!inRedis) this.dropLocal(names);
    if (!everyoneDropped) {
      // Some process may still hold a copy. Every memory entry expires memoryTtlMs after the read
      // that produced it, and those reads all started before this call: wait them out.
      this.metrics.invalidationFallbacks.inc();
      const left = started + this.opts.memoryTtlMs + WAIT_OUT_SLACK_MS - performance.now();
      if (left > 0) await sleep(left);
    }
  }

  /**
   * Another process's write, whose invalidation is in Redis: the entries held here are read again
   * (from Redis, where the writer stored the new version) in place of the old ones before the
   * acknowledgement, as the writer does for its own (`replace`).
   */
  private async settle(usernames: string[]): Promise<void> {
    await this.replace(this.abandon(storefrontNames(usernames)), REPLACE_WAIT_MS);
  }

  /**
   * No fill in flight for these names may store what it read; entries not held fresh in memory
   * are dropped. Returns the names whose entry is held (kept, to be replaced).
   */
  private abandon(names: readonly string[]): string[] {
    const now = performance.now();
    const held = names.filter((u) => (this.positive.peek(u)?.expiresAt ?? 0) > now);
    this.abandonFills(names);
    this.dropEntries(names.filter((u) => !held.includes(u)));
    return held;
  }

  /**
   * Storefronts held in memory when a write invalidated them, read again after the write and put
   * in place of the old entries before the write is answered (or, in another process, before it
   * acknowledges). Until then the old version is still served — the write has not been answered,
   * so nobody can expect its change yet — and afterwards readers keep being answered from memory:
   * dropping the entry would make every reader of a hot storefront wait for one refill, which on
   * a drop's busy event loop held hundreds of readers for tens of milliseconds per edit. Only
   * called once Redis has taken the invalidation and no fill that may have read Redis before it
   * is left in flight, so the fills started here cannot read the old value there. An entry not
   * replaced within `wait` ms (or whose fill failed) is dropped; a fill still running then serves
   * the readers that miss.
   */
  private async replace(names: readonly string[], wait: number): Promise<void> {
    if (names.length === 0) return;
    const flights = names.map((u) => this.startFill(u, true));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(flights.map((f) => f.promise)),
      new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, wait)).unref())),
    ]);
    clearTimeout(timer);
    names.forEach((u, i) => {
      if (flights[i]!.stored) {
        this.metrics.replacements.replaced.inc();
      } else {
        this.dropEntries([u]);
        this.metrics.replacements.dropped.inc();
      }
    });
  }

  private async fill(username: string, flight: Flight): Promise<StoreResponse> {
    let lease: { generation: string; token: string } | undefined;
    if (this.repo.available) {
      try {
        const fromRedis = await this.fromRedis(username, flight);
        if ('response' in fromRedis) return fromRedis.response;
        lease = fromRedis;
      } catch (err) {
        this.redisFailed(err);
      }
    }
    const readAt = performance.now();
    this.metrics.mongoQueries.inc();
    let body: Buffer | null;
    try {
      body = await this.opts.load(username);
    } catch (err) {
      if (lease) this.repo.release(username, lease.token).catch(() => undefined);
      throw new ServiceUnavailableError('Storefront temporarily unavailable', err);
    }
    const response = body ? foundResponse(body) : NOT_FOUND_RESPONSE;
    if (lease) {
      try {
        const ttl = body ? this.opts.redisTtlSeconds : this.opts.negativeTtlSeconds;
        await this.repo.write(username, lease.generation, body, ttl, lease.token);
      } catch (err) {
        this.redisFailed(err);
      }
    }
    this.remember(username, response, readAt, flight);
    return flight.background ? response : this.counted('mongo', response);
  }

  /** A Redis hit, or the generation to fill under (holding the lease, or after waiting it out). */
  private async fromRedis(
    username: string,
    flight: Flight,
  ): Promise<{ response: StoreResponse } | { generation: string; token: string }> {
    const token = `${this.tokenPrefix}:${++this.seq}`;
    const deadline = performance.now() + LEASE_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      const readAt = performance.now();
      const r = await this.repo.read(username, token, LEASE_MS);
      if (r.hit) {
        if (attempt > 0) this.metrics.leaseWaits.filled.inc();
        const response = r.body ? foundResponse(r.body) : NOT_FOUND_RESPONSE;
        this.remember(username, response, readAt, flight);
        return { response: flight.background ? response : this.counted('redis', response) };
      }
      if (r.leased) {
        if (attempt > 0) this.metrics.leaseWaits.acquired.inc();
        return { generation: r.generation, token };
      }
      if (performance.now() >= deadline) {
        // The holder is slow or gone: read MongoDB ourselves; the generation check still guards the write.
        this.metrics.leaseWaits.timeout.inc();
        return { generation: r.generation, token };
      }
      await sleep(POLL_DELAYS_MS[Math.min(attempt, POLL_DELAYS_MS.length - 1)]);
    }
  }

  private remember(
    username: string,
    response: StoreResponse,
    readAt: number,
    flight: Flight,
  ): void {
    if (flight.invalidated || flight.epoch !== this.epoch()) return;
    if (this.bus !== undefined && !this.bus.live) return;
    flight.stored = true;
    if (response.status === 200) {
      this.positive.set(username, { response, expiresAt: readAt + this.opts.memoryTtlMs });
      this.negative.delete(username);
    } else {
      this.negative.set(username, { response, expiresAt: readAt + this.negativeMemoryTtlMs });
      this.positive.delete(username);
    }
  }

  private dropLocal(usernames: readonly string[]): void {
    this.abandonFills(usernames);
    this.dropEntries(usernames);
  }

  /** Fills in flight for these names may no longer store; new requests start fresh ones. */
  private abandonFills(usernames: readonly string[]): void {
    for (const u of usernames) {
      const flight = this.inflight.get(u);
      if (flight) {
        flight.invalidated = true;
        this.inflight.delete(u);
      }
    }
  }

  private dropEntries(usernames: readonly string[]): void {
    for (const u of usernames) {
      this.positive.delete(u);
      this.negative.delete(u);
    }
  }

  private clearMemory(): void {
    this.positive.clear();
    this.negative.clear();
  }

  private epoch(): number {
    return this.bus?.epoch ?? 0;
  }

  private counted(tier: StoreTier, response: StoreResponse): StoreResponse {
    this.metrics.count(tier, response.status === 200);
    return response;
  }

  private redisFailed(err: unknown): void {
    this.metrics.redisErrors.inc();
    this.opts.logger.debug('storefront redis operation failed', { err });
  }
}
