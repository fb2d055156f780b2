import type { Connection, Model } from 'mongoose';
import { deliveryModel, type Delivery } from './delivery.model.ts';

/** The only code that touches `deliveries`: one record per paid order, written once. */
export class DeliveryRepository {
  private readonly model: Model<Delivery>;

  constructor(conn: Connection) {
    this.model = deliveryModel(conn);
  }

  /**
   * Inserts the order's delivery record unless it exists, and returns the stored one: the first
   * writer's file snapshot wins, so a retry after a product edit delivers what was recorded.
   */
  async recordOnce(d: Omit<Delivery, '_id'>): Promise<Delivery> {
    try {
      const stored = await this.model
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
    const existing = await this.model.findOne({ orderId: d.orderId }).lean<Delivery>().exec();
    if (!existing) throw new Error(`delivery for order ${String(d.orderId)} vanished`);
    return existing;
  }
}
