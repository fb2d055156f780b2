import type { Connection, Types } from 'mongoose';
import {
  deliveryModel,
  orderModel,
  productModel,
  type Delivery,
  type Order,
  type ProductFile,
} from '@storefront/shared';

/** Reads and writes what a delivery touches: the order, its product's file, `deliveries`. */
export class DeliveryRepository {
  private readonly conn: Connection;

  constructor(conn: Connection) {
    this.conn = conn;
  }

  async findOrder(orderId: Types.ObjectId): Promise<Order | null> {
    return orderModel(this.conn).findById(orderId).lean<Order>().exec();
  }

  /** The product's current file (deleted products keep their file for earlier buyers). */
  async findProductFile(productId: Types.ObjectId): Promise<ProductFile | null> {
    const product = await productModel(this.conn)
      .findById(productId, { file: 1 })
      .lean<{ file?: ProductFile }>()
      .exec();
    return product?.file ?? null;
  }

  /**
   * Inserts the order's delivery record unless it exists, and returns the stored one: the first
   * writer's file snapshot wins, so a retry after a product edit delivers what was recorded.
   */
  async recordOnce(d: Omit<Delivery, '_id'>): Promise<Delivery> {
    const model = deliveryModel(this.conn);
    try {
      const stored = await model
        .findOneAndUpdate(
          { orderId: d.orderId },
          { $setOnInsert: d },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<Delivery>()
        .exec();
      if (stored) return stored;
    } catch (err) {
      // Two upserts racing on the unique orderId: one inserted, the other reads it.
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    const existing = await model.findOne({ orderId: d.orderId }).lean<Delivery>().exec();
    if (!existing) throw new Error(`delivery for order ${String(d.orderId)} vanished`);
    return existing;
  }

  /** delivery.status queued → delivered with the recorded file; false when it already was. */
  async markOrderDelivered(orderId: Types.ObjectId, d: Delivery): Promise<boolean> {
    const res = await orderModel(this.conn)
      .updateOne(
        { _id: orderId, status: 'paid', 'delivery.status': { $ne: 'delivered' } },
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
}
