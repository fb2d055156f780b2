import { groupBySlot, type Redis } from '@storefront/shared';

// Keys per username u (the client adds REDIS_KEY_PREFIX):
//   store:{u}        the serialized storefront JSON ('' = no such creator), TTL STORE_REDIS_TTL_SECONDS
//   store:{u}:gen    generation, bumped by every invalidation; a fill may only write the value if
//                    the generation is still the one it saw before reading MongoDB
//   store:{u}:lease  fill lease (SET NX PX): one process reads MongoDB, the others wait for the value
// The braces are a Redis Cluster hash tag: the three keys share a slot, so each script is legal there.

const READ = `
local v = redis.call('GET', KEYS[1])
if v then return {1, v} end
local g = redis.call('GET', KEYS[2]) or '0'
if redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, g, 1} end
return {0, g, 0}`;

const WRITE = `
local g = redis.call('GET', KEYS[2]) or '0'
local written = 0
if g == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  written = 1
end
if redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
return written`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// Dropping the lease too lets waiters refill with the new generation at once instead of waiting
// for a fill whose write will now be refused.
const INVALIDATE = `
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1], KEYS[3])
return 1`;

/** Generations outlive any fill by far; they only need to exist while one could be in flight. */
const GENERATION_TTL_SECONDS = 24 * 3600;

type ReadReply = [1, Buffer] | [0, Buffer, 0 | 1];

/** The outcome of one look at Redis for a username. */
export type RedisRead =
  { hit: true; body: Buffer | null } | { hit: false; generation: string; leased: boolean };

interface StoreScripts {
  storeReadBuffer(
    value: string,
    gen: string,
    lease: string,
    token: string,
    leaseMs: number,
  ): Promise<ReadReply>;
  storeWrite(
    value: string,
    gen: string,
    lease: string,
    generation: string,
    body: Buffer | string,
    ttl: number,
    token: string,
  ): Promise<number>;
  storeInvalidate(value: string, gen: string, lease: string, genTtl: number): Promise<number>;
  storeRelease(lease: string, token: string): Promise<number>;
}

const keys = (u: string): [string, string, string] => [
  `store:{${u}}`,
  `store:{${u}}:gen`,
  `store:{${u}}:lease`,
];

/** The Redis tier of the storefront cache: generation-checked fills under a lease. */
export class StoreCacheRepository {
  private readonly redis: Redis & StoreScripts;
  private readonly retry = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private onError: (err: unknown) => void = () => undefined;

  constructor(redis: Redis) {
    redis.defineCommand('storeRead', { numberOfKeys: 3, lua: READ });
    redis.defineCommand('storeWrite', { numberOfKeys: 3, lua: WRITE });
    redis.defineCommand('storeInvalidate', { numberOfKeys: 3, lua: INVALIDATE });
    redis.defineCommand('storeRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as Redis & StoreScripts;
  }

  /** False while the connection is down: callers skip Redis instead of waiting for an error. */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  /** The cached body (null = cached "no such creator"), or a miss with the generation and whether we now hold the fill lease. */
  async read(username: string, leaseToken: string, leaseMs: number): Promise<RedisRead> {
    const [value, gen, lease] = keys(username);
    const reply = await this.redis.storeReadBuffer(value, gen, lease, leaseToken, leaseMs);
    if (reply[0] === 1) return { hit: true, body: reply[1].length === 0 ? null : reply[1] };
    return { hit: false, generation: reply[1].toString(), leased: reply[2] === 1 };
  }

  /** Stores a fill if no invalidation happened since `generation` was read; releases our lease. */
  async write(
    username: string,
    generation: string,
    body: Buffer | null,
    ttlSeconds: number,
    leaseToken: string,
  ): Promise<boolean> {
    const [value, gen, lease] = keys(username);
    return (
      (await this.redis.storeWrite(
        value,
        gen,
        lease,
        generation,
        body ?? '',
        ttlSeconds,
        leaseToken,
      )) === 1
    );
  }

  /** Gives up our lease (after a failed fill) so others need not wait for it to expire. */
  async release(username: string, leaseToken: string): Promise<void> {
    await this.redis.storeRelease(keys(username)[2], leaseToken);
  }

  /** Deletes the cached values and bumps their generations, so fills already in flight cannot write. */
  async invalidate(usernames: readonly string[]): Promise<void> {
    // On Redis Cluster a pipeline may only hold commands of one slot: one pipeline per slot.
    const groups = groupBySlot(
      this.redis,
      usernames.map((u) => keys(u)[0]),
    );
    await Promise.all(
      groups.map(async (group) => {
        const pipeline = this.redis.pipeline() as unknown as StoreScripts & {
          exec(): Promise<Array<[Error | null, unknown]> | null>;
        };
        for (const i of group) {
          const [value, gen, lease] = keys(usernames[i]!);
          void pipeline.storeInvalidate(value, gen, lease, GENERATION_TTL_SECONDS);
        }
        const results = await pipeline.exec();
        const failed = results?.find(([err]) => err !== null);
        if (!results || failed) {
          throw failed?.[0] ?? new Error('redis pipeline returned no results');
        }
      }),
    );
  }

  /**
   * Invalidates, and when Redis cannot take it, keeps retrying every second and as soon as the
   * connection is back, so Redis does not keep an old storefront for a full TTL after an outage.
   * Failures, the first and the retries', go to the `onError` given to `start`. True when Redis
   * took the invalidation now.
   */
  async invalidateOrRetry(usernames: readonly string[]): Promise<boolean> {
    try {
      await this.invalidate(usernames);
      return true;
    } catch (err) {
      this.onError(err);
      for (const u of usernames) this.retry.add(u);
      this.retryTimer ??= setInterval(() => this.retryNow(), 1_000).unref();
      return false;
    }
  }

  /**
   * Retries pending invalidations whenever the connection becomes ready. Every invalidation
   * failure is reported to `onError`.
   */
  start(onError: (err: unknown) => void): void {
    this.onError = onError;
    this.redis.on('ready', () => this.retryNow());
  }

  close(): void {
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
  }

  private retryNow(): void {
    if (this.retry.size === 0 || !this.available) return;
    const names = [...this.retry];
    this.invalidate(names).then(
      () => {
        for (const u of names) this.retry.delete(u);
        if (this.retry.size === 0) this.close();
      },
      (err: unknown) => this.onError(err),
    );
  }
}
