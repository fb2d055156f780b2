import { randomUUID } from 'node:crypto';
import type { Redis } from '@storefront/shared';

// Delete only our own token, so a run whose lock expired cannot free a newer run's lock.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Runs `fn` under the Redis lock `key` (SET NX PX) and returns its result, or null without
 * running it when another process holds the lock. The lock expires after `ttlMs` if the holder
 * dies; a run that outlives it may overlap the next one, which the sweep tolerates (idempotent).
 */
export async function withSweepLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  fn: () => Promise<T>,
): Promise<T | null> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;
  try {
    return await fn();
  } finally {
    // If the release fails, the lock expires by itself.
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
