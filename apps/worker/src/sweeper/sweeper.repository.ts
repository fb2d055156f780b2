import type { Connection } from 'mongoose';
import { orderModel, webhookDlqModel, webhookEventModel } from '@storefront/shared';

/** Where the previous page of a scan ended (sort key, then `_id` for ties). */
export interface ScanCursor {
  at: Date;
  id: string;
}

/** `filter` restricted to documents after `cursor` in (`field`, `_id`) order. */
function after(field: string, cursor: ScanCursor | undefined): Record<string, unknown> {
  if (!cursor) return {};
  return {
    $or: [{ [field]: { $gt: cursor.at } }, { [field]: cursor.at, _id: { $gt: cursor.id } }],
  };
}

/** Reads what the sweeper looks at: unfinished inbox events, due DLQ entries, undelivered orders. */
export class SweeperRepository {
  private readonly conn: Connection;

  constructor(conn: Connection) {
    this.conn = conn;
  }

  /** One page of unfinished inbox events received before `before`, oldest first. */
  async unfinishedEvents(
    before: Date,
    limit: number,
    cursor?: ScanCursor,
  ): Promise<Array<{ _id: string; status: string; receivedAt: Date }>> {
    return webhookEventModel(this.conn)
      .find(
        {
          status: { $in: ['received', 'failed'] },
          receivedAt: { $lt: before },
          ...after('receivedAt', cursor),
        },
        { _id: 1, status: 1, receivedAt: 1 },
      )
      .sort({ receivedAt: 1, _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: string; status: string; receivedAt: Date }>>()
      .exec();
  }

  /** Whether inbox event `id` still needs processing. */
  async isUnfinished(id: string): Promise<boolean> {
    const ev = await webhookEventModel(this.conn).exists({
      _id: id,
      status: { $in: ['received', 'failed'] },
    });
    return ev !== null;
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

  /** One page of pending DLQ entries whose retry is due, earliest first. */
  async dueDlqEntries(
    now: Date,
    limit: number,
    cursor?: ScanCursor,
  ): Promise<Array<{ _id: string; next_retry_at: Date }>> {
    return webhookDlqModel(this.conn)
      .find(
        { status: 'pending', next_retry_at: { $lte: now }, ...after('next_retry_at', cursor) },
        { _id: 1, next_retry_at: 1 },
      )
      .sort({ next_retry_at: 1, _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: string; next_retry_at: Date }>>()
      .exec();
  }

  /** One page of paid orders whose delivery was queued before `before` and is not done. */
  async undeliveredOrders(
    before: Date,
    limit: number,
    cursor?: ScanCursor,
  ): Promise<Array<{ _id: string; queuedAt: Date }>> {
    const rows = await orderModel(this.conn)
      .find(
        {
          status: 'paid',
          'delivery.status': 'queued',
          'delivery.queuedAt': { $lt: before },
          ...after('delivery.queuedAt', cursor),
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
    return (await orderModel(this.conn).exists({ _id: id, 'delivery.status': 'queued' })) !== null;
  }
}
