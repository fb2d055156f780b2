// The reconciliation scan's resume position, kept in Redis.
import { isObjectIdString, type OrderCursor, type Redis } from '@storefront/shared';

// The cursor lives in Redis: losing it only makes the next run start again from the oldest order.
const CURSOR_KEY = 'reconciliation:cursor';
const CURSOR_TTL_SECONDS = 24 * 3600;

/** The scan position saved by the previous run, if any. */
export async function loadCursor(redis: Redis): Promise<OrderCursor | undefined> {
  const raw = await redis.get(CURSOR_KEY);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as { createdAt?: unknown; id?: unknown };
    if (typeof parsed.createdAt !== 'number' || typeof parsed.id !== 'string') return undefined;
    if (!isObjectIdString(parsed.id)) return undefined;
    return { createdAt: new Date(parsed.createdAt), id: parsed.id };
  } catch {
    return undefined;
  }
}

/** Saves the scan position; `undefined` restarts the next scan from the oldest order. */
export async function saveCursor(redis: Redis, cursor: OrderCursor | undefined): Promise<void> {
  if (!cursor) {
    await redis.del(CURSOR_KEY);
    return;
  }
  const value = JSON.stringify({ createdAt: cursor.createdAt.getTime(), id: cursor.id });
  await redis.set(CURSOR_KEY, value, 'EX', CURSOR_TTL_SECONDS);
}
