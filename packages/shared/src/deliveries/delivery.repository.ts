import type { Connection, Model, Types } from 'mongoose';
import {
  batched,
  inKeyOrder,
  insertEachIfAbsent,
  SAME_TICK,
  type BatchOptions,
} from '../db/batcher.ts';
import { deliveryModel, type Delivery } from './delivery.model.ts';

/** The only code that touches `deliveries`: one record per paid order, written once. */
export class DeliveryRepository {
  private readonly model: Model<Delivery>;
  private readonly insertIfAbsent: (d: Omit<Delivery, '_id'>) => Promise<void>;
  private readonly byOrderId: (orderId: Types.ObjectId) => Promise<Delivery | null>;

  /** `batch`: how concurrent deliveries share their writes and reads. */
  constructor(conn: Connection, batch: BatchOptions = SAME_TICK) {
    this.model = deliveryModel(conn);
    this.insertIfAbsent = batched<Omit<Delivery, '_id'>, void>(async (ds) => {
      const results = await insertEachIfAbsent(this.model.collection, ds, (d) => ({
        orderId: d.orderId,
      }));
      // A duplicate key is another process's upsert winning the race: the record exists.
      return results.map((e) => (e && e.code !== 11000 ? e : undefined));
    }, batch);
    this.byOrderId = batched(async (ids) => {
      const docs = await this.model.collection
        .find<Delivery>({ orderId: { $in: [...ids] } })
        .toArray();
      return inKeyOrder(ids.map(String), docs, (d) => String(d.orderId));
    }, batch);
  }

  /**
   * Inserts the order's delivery record unless it exists, and returns the stored one: the first
   * writer's file snapshot wins, so a retry after a product edit delivers what was recorded.
   */
  async recordOnce(d: Omit<Delivery, '_id'>): Promise<Delivery> {
    await this.insertIfAbsent(d);
    const stored = await this.byOrderId(d.orderId);
    if (!stored) throw new Error(`delivery for order ${String(d.orderId)} vanished`);
    return stored;
  }
}
