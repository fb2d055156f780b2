import type { Connection, Types } from 'mongoose';
import { orderModel, type Order, type Redis } from '@storefront/shared';

/** The fields of an order a check needs. */
export type OrderToCheck = Pick<
  Order,
  '_id' | 'status' | 'gatewayOrderId' | 'gatewayAccount' | 'createdAt'
> & { gatewayOrderId: string };

/** Where the previous run stopped in the oldest-first scan: (createdAt, _id) of its last order. */
export interface OrderCursor {
  createdAt: Date;
  /** Hex ObjectId (mongoose casts it in the filter). */
  id: string;
}

const CHECK_FIELDS = { _id: 1, status: 1, gatewayOrderId: 1, gatewayAccount: 1, createdAt: 1 };

/**
 * Orders awaiting a payment verdict, created before `createdBefore`, oldest first, after `after`.
 * `created` orders that already have a gateway order are included: the buyer may have paid
 * even if our `pending` write was lost.
 */
export async function findOrdersToCheck(
  conn: Connection,
  query: { createdBefore: Date; after?: OrderCursor; limit: number },
): Promise<OrderToCheck[]> {
  const { after } = query;
  return orderModel(conn)
    .find({
      status: { $in: ['pending', 'created'] },
      gatewayOrderId: { $exists: true },
      createdAt: { $lt: query.createdBefore },
      ...(after
        ? {
            $or: [
              { createdAt: { $gt: after.createdAt } },
              { createdAt: after.createdAt, _id: { $gt: after.id } },
            ],
          }
        : {}),
    })
    .sort({ createdAt: 1, _id: 1 })
    .limit(query.limit)
    .select(CHECK_FIELDS)
    .lean<OrderToCheck[]>()
    .exec();
}

/** `created` orders that never got a gateway order (a crash mid-checkout), older than `createdBefore`. */
export async function findStaleCreatedOrderIds(
  conn: Connection,
  query: { createdBefore: Date; limit: number },
): Promise<Types.ObjectId[]> {
  const docs = await orderModel(conn)
    .find({
      status: 'created',
      createdAt: { $lt: query.createdBefore },
      gatewayOrderId: { $exists: false },
    })
    .sort({ createdAt: 1 })
    .limit(query.limit)
    .select({ _id: 1 })
    .lean<Array<{ _id: Types.ObjectId }>>()
    .exec();
  return docs.map((d) => d._id);
}

/** Creation time of the oldest pending order, or null when there is none. */
export async function oldestPendingCreatedAt(conn: Connection): Promise<Date | null> {
  const doc = await orderModel(conn)
    .findOne({ status: 'pending' })
    .sort({ createdAt: 1 })
    .select({ createdAt: 1 })
    .lean<{ createdAt: Date }>()
    .exec();
  return doc?.createdAt ?? null;
}

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
    if (!/^[0-9a-f]{24}$/i.test(parsed.id)) return undefined;
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
