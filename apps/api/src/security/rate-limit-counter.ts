import { createHash } from 'node:crypto';
import { groupBySlot, type Redis } from '@storefront/shared';

// Adds each key's increment and reads its TTL; starts the window on a key's first increment (or
// on a key left without a TTL). Same keys and values as the rate-limit-redis store wrote (no
// longer a dependency), so processes of either version count together during a rolling deploy.
const SCRIPT = `
local window = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  local total = redis.call('INCRBY', KEYS[i], tonumber(ARGV[i + 1]))
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl <= 0 then
    redis.call('PEXPIRE', KEYS[i], window)
    ttl = window
  end
  out[2 * i - 1] = total
  out[2 * i] = ttl
end
return out
`;
const SHA = createHash('sha1').update(SCRIPT).digest('hex');
// Keys per script call: one call is one slot of Redis's time, kept well under a millisecond. On
// Redis Cluster a script may only touch keys of one hash slot, so a flush sends one call per slot.
const MAX_KEYS_PER_CALL = 500;

/** A request waiting for the next flush to learn its exact position in the shared count. */
interface Waiter {
  /** Position of this request among the increments sent with its flush (1-based). */
  index: number;
  done: (err: Error | undefined, total: number) => void;
}

/** This process's view of one counter. */
export interface CounterEntry {
  readonly key: string;
  /** Total in Redis as of this process's last flush of the key (0 before the first). */
  known: number;
  /** Increments sent in the flush in flight, not yet in `known`. */
  inflight: number;
  /** Increments counted here and not yet sent. */
  pending: number;
  /** When the window ends (ms epoch): from Redis's TTL once known, else estimated locally. */
  resetAt: number;
  /** The limiter's RateLimit-Policy header for this key ('' until it sets it). */
  policy: string;
  waiters: Waiter[] | undefined;
  dirty: boolean;
}

/**
 * Fixed-window counters kept in Redis (shared by every API process) and counted locally in
 * between: increments are sent in the background, every key changed since the last flush in one
 * script call, at most every `flushMs` (sooner when a request waits for an exact count). Each
 * reply brings the key's shared total and TTL back. Callers decide per request whether the local
 * view is enough or the request waits for the next flush (see rate-limit.ts).
 */
export class RateLimitCounter {
  private readonly entries = new Map<string, CounterEntry>();
  private dirty: CounterEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private flushing = false;
  private again = false;
  private readonly sweeper: NodeJS.Timeout;
  private readonly redis: Redis;
  private readonly windowMs: number;
  private readonly flushMs: number;
  private readonly onError: (err: unknown, waiters: number) => void;

  constructor(opts: {
    redis: Redis;
    windowMs: number;
    flushMs: number;
    /** A flush failed; `waiters` requests were waiting for it. */
    onError: (err: unknown, waiters: number) => void;
  }) {
    this.redis = opts.redis;
    this.windowMs = opts.windowMs;
    this.flushMs = opts.flushMs;
    this.onError = opts.onError;
    this.sweeper = setInterval(() => this.sweep(), Math.min(opts.windowMs, 5_000));
    this.sweeper.unref();
  }

  /** Whether counts can reach Redis now (its connection is up). */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  /** Number of keys held in memory. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry for `key`, reset when its window has passed. */
  entry(key: string, now: number): CounterEntry {
    let e = this.entries.get(key);
    if (e === undefined) {
      e = {
        key,
        known: 0,
        inflight: 0,
        pending: 0,
        resetAt: now + this.windowMs,
        policy: '',
        waiters: undefined,
        dirty: false,
      };
      this.entries.set(key, e);
    } else if (now >= e.resetAt) {
      e.known = 0;
      e.resetAt = now + this.windowMs;
    }
    return e;
  }

  /** Counts one request locally; it reaches Redis with the next flush. */
  add(e: CounterEntry): void {
    e.pending += 1;
    this.markDirty(e);
    if (this.timer === undefined && this.immediate === undefined && !this.flushing) {
      this.timer = setTimeout(this.flushNow, this.flushMs);
      this.timer.unref();
    }
  }

  /** Counts one request and calls `done` with the shared total including it, after a flush. */
  addAndWait(e: CounterEntry, done: (err: Error | undefined, total: number) => void): void {
    e.pending += 1;
    (e.waiters ??= []).push({ index: e.pending, done });
    this.markDirty(e);
    if (this.flushing) {
      this.again = true;
    } else if (this.immediate === undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.immediate = setImmediate(this.flushNow);
    }
  }

  /** Sends what is pending and stops the timers (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
    if (!this.flushing && this.dirty.length > 0 && this.available) await this.flush();
  }

  private markDirty(e: CounterEntry): void {
    if (!e.dirty) {
      e.dirty = true;
      this.dirty.push(e);
    }
  }

  private readonly flushNow = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    void this.flush();
  };

  private async flush(): Promise<void> {
    const batch = this.dirty;
    if (batch.length === 0) return;
    this.dirty = [];
    this.flushing = true;
    const sent = new Array<number>(batch.length);
    const waiting = new Array<Waiter[] | undefined>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      e.dirty = false;
      sent[i] = e.pending;
      e.inflight += e.pending;
      e.pending = 0;
      waiting[i] = e.waiters;
      e.waiters = undefined;
    }
    const calls: Array<Promise<void>> = [];
    for (const group of groupBySlot(
      this.redis,
      batch.map((e) => e.key),
    )) {
      for (let from = 0; from < group.length; from += MAX_KEYS_PER_CALL) {
        calls.push(this.send(batch, sent, waiting, group.slice(from, from + MAX_KEYS_PER_CALL)));
      }
    }
    await Promise.all(calls);
    this.flushing = false;
    if (this.dirty.length === 0) return;
    if (this.again) {
      this.again = false;
      this.immediate ??= setImmediate(this.flushNow);
    } else if (this.timer === undefined && this.immediate === undefined) {
      this.timer = setTimeout(this.flushNow, this.flushMs);
      this.timer.unref();
    }
  }

  private async send(
    batch: CounterEntry[],
    sent: number[],
    waiting: Array<Waiter[] | undefined>,
    indices: number[],
  ): Promise<void> {
    const n = indices.length;
    const args: Array<string | number> = new Array<string | number>(2 * n + 1);
    for (let i = 0; i < n; i++) {
      args[i] = batch[indices[i]!]!.key;
      args[n + 1 + i] = sent[indices[i]!]!;
    }
    args[n] = this.windowMs;
    let reply: number[];
    try {
      reply = await this.evaluate(n, args);
    } catch (err) {
      const error =
        err instanceof Error ? err : new Error('rate limit flush failed', { cause: err });
      let waiters = 0;
      for (const i of indices) {
        // Not retried: the script may have run before the error (a timeout), and counting a
        // request twice would refuse a client early; losing one flush lets a few through.
        batch[i]!.inflight -= sent[i]!;
        for (const w of waiting[i] ?? []) {
          waiters += 1;
          w.done(error, 0);
        }
      }
      this.onError(error, waiters);
      return;
    }
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const e = batch[indices[i]!]!;
      const count = sent[indices[i]!]!;
      const total = Number(reply[2 * i]);
      e.known = total;
      e.inflight -= count;
      e.resetAt = now + Number(reply[2 * i + 1]);
      const ws = waiting[indices[i]!];
      if (ws !== undefined) {
        // The batch's increments sit at the top of the total, in arrival order.
        for (const w of ws) w.done(undefined, total - count + w.index);
      }
    }
  }

  private async evaluate(n: number, args: Array<string | number>): Promise<number[]> {
    try {
      return (await this.redis.evalsha(SHA, n, ...args)) as number[];
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return (await this.redis.eval(SCRIPT, n, ...args)) as number[];
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, e] of this.entries) {
      if (now >= e.resetAt && e.pending === 0 && e.inflight === 0 && e.waiters === undefined) {
        this.entries.delete(key);
      }
    }
  }
}
