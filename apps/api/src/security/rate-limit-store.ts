import { createHash } from 'node:crypto';
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import {
  getOrCreateMetric,
  promClient,
  type Logger,
  type MetricsRegistry,
  type Redis,
} from '@storefront/shared';

/** Raised by the store when Redis cannot count a request; the limiter decides open or closed. */
export class RateLimitStoreError extends Error {
  constructor(cause: unknown) {
    super('rate limit store unavailable', { cause });
    this.name = 'RateLimitStoreError';
  }
}

/**
 * The `sendCommand` rate-limit-redis needs, over ioredis `call` (which applies the connection's
 * keyPrefix to EVALSHA keys, so limits share the deployment's Redis namespace).
 *
 * The store loads its Lua scripts once, at start. On our fail-fast connection that happens before
 * Redis is connected and would leave the store holding a rejected promise forever; so a failed
 * SCRIPT LOAD answers the script's SHA1 (computed locally) and the first EVALSHA gets NOSCRIPT,
 * which makes the store load the script again once Redis is reachable.
 */
export function redisSendCommand(redis: Redis): (...args: string[]) => Promise<RedisReply> {
  return async (...args: string[]) => {
    const [command, ...rest] = args;
    if (command === undefined) throw new Error('empty redis command');
    if (command.toUpperCase() === 'SCRIPT' && rest[0]?.toUpperCase() === 'LOAD' && rest[1]) {
      const script = rest[1];
      try {
        return (await redis.call('SCRIPT', 'LOAD', script)) as RedisReply;
      } catch {
        return createHash('sha1').update(script).digest('hex');
      }
    }
    return (await redis.call(command, ...rest)) as RedisReply;
  };
}

/**
 * A rate-limit-redis store that counts Redis failures in `rate_limit_redis_errors_total`, logs
 * them at most every 10 s, and rethrows them as RateLimitStoreError for the limiter to handle.
 */
export class ResilientRedisStore implements Store {
  readonly prefix: string;
  private readonly inner: RedisStore;
  private readonly errors: promClient.Counter<'limiter'>;
  private readonly logger: Logger;
  private readonly name: string;
  private lastLog = 0;

  constructor(opts: {
    redis: Redis;
    prefix: string;
    name: string;
    metrics: MetricsRegistry;
    logger: Logger;
  }) {
    this.prefix = opts.prefix;
    this.name = opts.name;
    this.logger = opts.logger;
    this.inner = new RedisStore({ sendCommand: redisSendCommand(opts.redis), prefix: opts.prefix });
    this.errors = getOrCreateMetric(
      opts.metrics,
      'rate_limit_redis_errors_total',
      () =>
        new promClient.Counter({
          name: 'rate_limit_redis_errors_total',
          help: 'Requests whose rate limit could not be checked because Redis failed',
          labelNames: ['limiter'],
          registers: [opts.metrics],
        }),
    );
  }

  init(options: Options): Promise<void> {
    return this.inner.init(options);
  }

  async increment(key: string): Promise<IncrementResponse> {
    try {
      return await this.inner.increment(key);
    } catch (err) {
      throw this.failure(err);
    }
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    try {
      return await this.inner.get(key);
    } catch (err) {
      throw this.failure(err);
    }
  }

  async decrement(key: string): Promise<void> {
    try {
      await this.inner.decrement(key);
    } catch (err) {
      throw this.failure(err);
    }
  }

  async resetKey(key: string): Promise<void> {
    await this.inner.resetKey(key);
  }

  private failure(err: unknown): RateLimitStoreError {
    this.errors.inc({ limiter: this.name });
    const now = Date.now();
    if (now - this.lastLog > 10_000) {
      this.lastLog = now;
      this.logger.error('rate limit store error', { limiter: this.name, err });
    }
    return new RateLimitStoreError(err);
  }
}
