import { Types, type Connection, type Model } from 'mongoose';
import {
  isObjectIdString,
  orderModel,
  transitionOrder,
  type Order,
  type OrderStatus,
} from '@storefront/shared';

/** Fields of a new order; the status starts at `created`. */
export type NewOrder = Pick<
  Order,
  | 'creatorId'
  | 'productId'
  | 'productTitle'
  | 'amount'
  | 'currency'
  | 'buyer'
  | 'gatewayAccount'
  | 'accessTokenHash'
>;

/** Reads and writes `orders` for the API; state changes go through the shared state machine. */
export class OrderRepository {
  private readonly conn: Connection;
  private readonly model: Model<Order>;

  constructor(conn: Connection) {
    this.conn = conn;
    this.model = orderModel(conn);
  }

  async create(input: NewOrder): Promise<Order> {
    const doc = await this.model.create({ ...input, status: 'created' });
    return doc.toObject();
  }

  /** The order, or null for an unknown or malformed id. */
  async findById(id: string): Promise<Order | null> {
    if (!isObjectIdString(id)) return null;
    return this.model.findById(new Types.ObjectId(id)).lean<Order>().exec();
  }

  /** One conditional atomic state change; null when the order is not in a status it may leave. */
  async transition(
    id: Types.ObjectId,
    to: OrderStatus,
    set: Partial<Omit<Order, '_id' | 'status'>> = {},
  ): Promise<Order | null> {
    return transitionOrder(this.conn, id, to, set);
  }
}
