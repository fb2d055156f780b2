import { Types, type Connection, type Model, type UpdateQuery } from 'mongoose';
import { isObjectIdString } from '../db/object-id.ts';
import {
  batched,
  inKeyOrder,
  insertEachValidated,
  SAME_TICK,
  type BatchOptions,
} from '../db/batcher.ts';
import { afterCursor, type ScanCursor } from '../db/scan-cursor.ts';
import { allowedFrom, AWAITING_VERDICT, type OrderStatus } from './order-state.ts';
import { orderModel, type Order } from './order.model.ts';

// The only code that touches the `orders` collection. Every write that carries a payment
// guarantee is here: state changes are one conditional atomic update whose filter names the
// statuses the order may leave, so webhooks, reconciliation and the checkout callback can race
// and repeat safely.

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

/** The fields of an order a reconciliation check needs. */
export type OrderToCheck = Pick<
  Order,
  '_id' | 'status' | 'gatewayOrderId' | 'gatewayAccount' | 'createdAt'
> & { gatewayOrderId: string };

/** Where the previous reconciliation run stopped: (createdAt, _id) of its last order. */
export interface OrderCursor {
  createdAt: Date;
  /** Hex ObjectId. */
  id: string;
}

/** What a delivery recorded, written onto the order. */
export interface DeliveredFile {
  deliveredAt: Date;
  fileKey?: string;
  fileName?: string;
}

const CHECK_FIELDS = { _id: 1, status: 1, gatewayOrderId: 1, gatewayAccount: 1, createdAt: 1 };

function toObjectId(id: string | Types.ObjectId): Types.ObjectId | null {
  if (id instanceof Types.ObjectId) return id;
  return isObjectIdString(id) ? new Types.ObjectId(id) : null;
}

/** Reads and writes `orders`; plain objects only. */
export class OrderRepository {
  private readonly model: Model<Order>;
  private readonly byId: (id: Types.ObjectId) => Promise<Order | null>;
  private readonly byGatewayOrderId: (id: string) => Promise<Order | null>;
  private readonly creates: (input: NewOrder) => Promise<Order>;

  /**
   * `batch`: how concurrent reads by id and by gateway order id share one query, and concurrent
   * creates one insert (a drop's checkouts all create orders at once).
   */
  constructor(conn: Connection, batch: BatchOptions = SAME_TICK) {
    this.model = orderModel(conn);
    this.byId = batched(async (ids) => {
      // Batched reads go straight to the driver: the ids are typed, and a lean mongoose read
      // returns the same plain documents after casting a filter that needs none.
      const docs = await this.model.collection.find<Order>({ _id: { $in: [...ids] } }).toArray();
      return inKeyOrder(ids.map(String), docs, (d) => String(d._id));
    }, batch);
    this.byGatewayOrderId = batched(async (ids) => {
      const docs = await this.model.collection
        .find<Order>({ gatewayOrderId: { $in: [...ids] } })
        .toArray();
      return inKeyOrder(ids, docs, (d) => d.gatewayOrderId);
    }, batch);
    this.creates = batched<NewOrder, Order>(
      (inputs) =>
        insertEachValidated(
          this.model,
          inputs.map((input) => ({ ...input, status: 'created' })),
        ),
      batch,
    );
  }

  /** Stores a new `created` order (validated and timestamped as mongoose's create would). */
  async create(input: NewOrder): Promise<Order> {
    return this.creates(input);
  }

  /** The order, or null for an unknown or malformed id. */
  async findById(id: string | Types.ObjectId): Promise<Order | null> {
    const oid = toObjectId(id);
    return oid ? this.byId(oid) : null;
  }

  /** Our order for a gateway (Razorpay) order id. */
  async findByGatewayOrderId(gatewayOrderId: string): Promise<Order | null> {
    return this.byGatewayOrderId(gatewayOrderId);
  }

  /**
   * Moves an order to `to` with one conditional atomic update whose filter names the statuses it
   * may come from. Returns the updated order, or null when the order is missing or the move is
   * not allowed from its current status (someone else already moved it). Safe to race and repeat.
   */
  async transition(
    id: string | Types.ObjectId,
    to: OrderStatus,
    set: Partial<Omit<Order, '_id' | 'status'>> = {},
    extra: UpdateQuery<Order> = {},
  ): Promise<Order | null> {
    const oid = toObjectId(id);
    if (!oid) return null;
    return this.model
      .findOneAndUpdate(
        { _id: oid, status: { $in: allowedFrom(to) } },
        { ...extra, $set: { ...(extra.$set ?? {}), ...set, status: to } },
        { returnDocument: 'after' },
      )
      .lean<Order>()
      .exec();
  }

  /**
   * Remembers a failed payment attempt on an order that is not paid (the buyer may retry);
   * returns the order as it now is, or null when it is paid or missing.
   */
  async recordPaymentError(
    id: string | Types.ObjectId,
    error: NonNullable<Order['lastPaymentError']>,
  ): Promise<Order | null> {
    const oid = toObjectId(id);
    if (!oid) return null;
    return this.model
      .findOneAndUpdate(
        { _id: oid, status: { $ne: 'paid' } },
        { $set: { lastPaymentError: error } },
        { returnDocument: 'after' },
      )
      .lean<Order>()
      .exec();
  }

  /** delivery.status queued → delivered with the recorded file; false when it already was. */
  async markDelivered(id: Types.ObjectId, d: DeliveredFile): Promise<boolean> {
    const res = await this.model
      .updateOne(
        { _id: id, status: 'paid', 'delivery.status': { $ne: 'delivered' } },
        {
          $set: {
            'delivery.status': 'delivered',
            'delivery.deliveredAt': d.deliveredAt,
            ...(d.fileKey ? { 'delivery.fileKey': d.fileKey } : {}),
            ...(d.fileName ? { 'delivery.fileName': d.fileName } : {}),
          },
        },
      )
      .exec();
    return res.modifiedCount > 0;
  }

  /**
   * Orders awaiting a payment verdict, created before `createdBefore`, oldest first, after
   * `after`. `created` orders that already have a gateway order are included: the buyer may have
   * paid even if our `pending` write was lost.
   */
  async findToCheck(query: {
    createdBefore: Date;
    after?: OrderCursor;
    limit: number;
  }): Promise<OrderToCheck[]> {
    const { after } = query;
    return this.model
      .find({
        status: { $in: AWAITING_VERDICT },
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

  /** `created` orders that never got a gateway order (a crash mid-checkout), oldest first. */
  async findStaleCreatedIds(query: {
    createdBefore: Date;
    limit: number;
  }): Promise<Types.ObjectId[]> {
    const docs = await this.model
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
  async oldestPendingCreatedAt(): Promise<Date | null> {
    const doc = await this.model
      .findOne({ status: 'pending' })
      .sort({ createdAt: 1 })
      .select({ createdAt: 1 })
      .lean<{ createdAt: Date }>()
      .exec();
    return doc?.createdAt ?? null;
  }

  /** One page of paid orders whose delivery was queued before `before` and is not done. */
  async undeliveredPage(
    before: Date,
    limit: number,
    cursor?: ScanCursor,
  ): Promise<Array<{ _id: string; queuedAt: Date }>> {
    const rows = await this.model
      .find(
        {
          status: 'paid',
          'delivery.status': 'queued',
          'delivery.queuedAt': { $lt: before },
          ...afterCursor('delivery.queuedAt', cursor),
        },
        { _id: 1, 'delivery.queuedAt': 1 },
      )
      .sort({ 'delivery.queuedAt': 1, _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: unknown; delivery: { queuedAt: Date } }>>()
      .exec();
    return rows.map((r) => ({ _id: String(r._id), queuedAt: r.delivery.queuedAt }));
  }

  /** Whether paid order `id` still waits for its delivery. */
  async isUndelivered(id: string): Promise<boolean> {
    const oid = toObjectId(id);
    if (!oid) return false;
    return (await this.model.exists({ _id: oid, 'delivery.status': 'queued' })) !== null;
  }
}
