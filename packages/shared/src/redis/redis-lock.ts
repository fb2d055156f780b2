import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.ts';
import type { Redis } from './redis.ts';

// Compare-and-act on the token, so a holder whose lock expired can never renew or release the
// lock a newer holder took.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** A held lock (for one run of a job that must not overlap across processes). */
export interface RunLock {
  /** Aborts when the lock is lost (expired and possibly taken by another run): stop working. */
  readonly signal: AbortSignal;
  /** Stops renewing and releases the lock if this holder still has it. */
  release(): Promise<void>;
}

/**
 * Takes the lock `key` (SET NX PX with a random token) or returns null when another holder has
 * it. While held it is renewed every ttl/3; when a renewal finds another token, or no renewal
 * succeeds for a whole TTL (Redis unreachable), `signal` aborts. A holder that crashes frees the
 * lock after at most `ttlMs`.
 */
export async function acquireRunLock(
  redis: Redis,
  key: string,
  ttlMs: number,
  logger: Logger,
): Promise<RunLock | null> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;

  const lost = new AbortController();
  let renewedAt = Date.now();
  const renew = async (): Promise<void> => {
    try {
      const ok = Number(await redis.eval(RENEW, 1, key, token, ttlMs)) === 1;
      if (ok) {
        renewedAt = Date.now();
        return;
      }
      logger.error('run lock lost to another holder', { key });
      lost.abort(new Error('run lock lost'));
    } catch (err) {
      if (Date.now() - renewedAt >= ttlMs) {
        logger.error('run lock could not be renewed within its TTL', { key, err });
        lost.abort(new Error('run lock expired'));
      }
    }
  };
  const timer = setInterval(() => void renew(), Math.max(10, Math.floor(ttlMs / 3)));
  timer.unref();
  lost.signal.addEventListener('abort', () => clearInterval(timer), { once: true });

  return {
    signal: lost.signal,
    async release() {
      clearInterval(timer);
      if (lost.signal.aborted) return;
      try {
        await redis.eval(RELEASE, 1, key, token);
      } catch (err) {
        // It expires by itself within the TTL.
        logger.warn('run lock not released', { key, err });
      }
    },
  };
}

/**
 * Runs `fn` while holding the lock `key` and returns its result, or null without running it
 * when another process holds the lock. `fn` gets the lock's signal, which aborts if the lock is
 * lost mid-run.
 */
export async function withRunLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  logger: Logger,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T | null> {
  const lock = await acquireRunLock(redis, key, ttlMs, logger);
  if (!lock) return null;
  try {
    return await fn(lock.signal);
  } finally {
    await lock.release();
  }
}
