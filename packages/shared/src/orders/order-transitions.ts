import type { Connection, Types, UpdateQuery } from 'mongoose';
import { allowedFrom, type OrderStatus } from './order-state.ts';
import { orderModel, type Order } from './order.model.ts';

/**
 * Moves an order to `to` with one conditional atomic update whose filter names the statuses it
 * may come from. Returns the updated order, or null when the order is missing or the move is not
 * allowed from its current status (someone else already moved it). Safe to race and to repeat.
 */
export async function transitionOrder(
  conn: Connection,
  orderId: Types.ObjectId | string,
  to: OrderStatus,
  set: Partial<Omit<Order, '_id' | 'status'>> = {},
  extra: UpdateQuery<Order> = {},
): Promise<Order | null> {
  return orderModel(conn)
    .findOneAndUpdate(
      { _id: orderId, status: { $in: allowedFrom(to) } },
      { ...extra, $set: { ...(extra.$set ?? {}), ...set, status: to } },
      { returnDocument: 'after' },
    )
    .lean<Order>()
    .exec();
}
