import type { Connection } from 'mongoose';
import { orderModel, webhookDlqModel, webhookEventModel } from '@storefront/shared';

/** Reads what the sweeper looks at: unfinished inbox events, due DLQ entries, undelivered orders. */
export class SweeperRepository {
  private readonly conn: Connection;

  constructor(conn: Connection) {
    this.conn = conn;
  }

  /** Unfinished inbox events received before `before`, oldest first. */
  async unfinishedEvents(
    before: Date,
    limit: number,
  ): Promise<Array<{ _id: string; status: string }>> {
    return webhookEventModel(this.conn)
      .find(
        { status: { $in: ['received', 'failed'] }, receivedAt: { $lt: before } },
        { _id: 1, status: 1 },
      )
      .sort({ receivedAt: 1 })
      .limit(limit)
      .lean<Array<{ _id: string; status: string }>>()
      .exec();
  }

  /** When each of `ids`' pending retries is due. */
  async retryTimes(ids: string[]): Promise<Map<string, Date>> {
    if (ids.length === 0) return new Map();
    const rows = await webhookDlqModel(this.conn)
      .find({ _id: { $in: ids }, status: 'pending' }, { next_retry_at: 1 })
      .lean<Array<{ _id: string; next_retry_at: Date | null }>>()
      .exec();
    return new Map(
      rows.filter((r) => r.next_retry_at).map((r) => [r._id, r.next_retry_at as Date]),
    );
  }

  /** Pending DLQ entries whose retry is due. */
  async dueDlqEntries(now: Date, limit: number): Promise<string[]> {
    const rows = await webhookDlqModel(this.conn)
      .find({ status: 'pending', next_retry_at: { $lte: now } }, { _id: 1 })
      .sort({ next_retry_at: 1 })
      .limit(limit)
      .lean<Array<{ _id: string }>>()
      .exec();
    return rows.map((r) => r._id);
  }

  /** Paid orders whose delivery was queued before `before` and is not done. */
  async undeliveredOrders(before: Date, limit: number): Promise<string[]> {
    const rows = await orderModel(this.conn)
      .find(
        { status: 'paid', 'delivery.status': 'queued', 'delivery.queuedAt': { $lt: before } },
        { _id: 1 },
      )
      .limit(limit)
      .lean<Array<{ _id: unknown }>>()
      .exec();
    return rows.map((r) => String(r._id));
  }
}
