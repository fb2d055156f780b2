import { Types } from 'mongoose';
import type { Logger } from '@storefront/shared';
import type { DeliveryRepository } from './delivery.repository.ts';

/** What a delivery job did. */
export type DeliveryOutcome =
  'delivered' | 'delivered_without_file' | 'already_delivered' | 'not_paid' | 'missing';

/**
 * Delivers a paid order exactly once: one `deliveries` record (unique per order) with a snapshot
 * of the product's file key, then the order's delivery moves queued → delivered. The buyer's
 * download link is presigned on request by the API from `order.delivery.fileKey`.
 *
 * A product without a file yet is still delivered (without a file key) rather than retried
 * forever; the order shows no download until the creator uploads one (docs/operations.md).
 */
export class DeliveryService {
  private readonly deps: {
    repo: DeliveryRepository;
    logger: Logger;
    onDelivered: (withFile: boolean) => void;
  };

  constructor(deps: DeliveryService['deps']) {
    this.deps = deps;
  }

  async deliver(orderId: string): Promise<DeliveryOutcome> {
    if (!Types.ObjectId.isValid(orderId)) return 'missing';
    const id = new Types.ObjectId(orderId);
    const order = await this.deps.repo.findOrder(id);
    if (!order) {
      this.deps.logger.warn('delivery job for a missing order', { orderId });
      return 'missing';
    }
    if (order.status !== 'paid') {
      this.deps.logger.warn('delivery job for an order that is not paid', {
        orderId,
        status: order.status,
      });
      return 'not_paid';
    }
    if (order.delivery?.status === 'delivered') return 'already_delivered';

    const file = await this.deps.repo.findProductFile(order.productId);
    const delivery = await this.deps.repo.recordOnce({
      orderId: order._id,
      productId: order.productId,
      creatorId: order.creatorId,
      ...(file ? { fileKey: file.key, fileName: file.name } : {}),
      deliveredAt: new Date(),
    });
    const changed = await this.deps.repo.markOrderDelivered(order._id, delivery);
    if (!changed) return 'already_delivered';
    const withFile = delivery.fileKey !== undefined;
    this.deps.onDelivered(withFile);
    if (withFile) {
      this.deps.logger.info('order delivered', { orderId });
      return 'delivered';
    }
    this.deps.logger.warn('order delivered but its product has no file yet', {
      orderId,
      productId: String(order.productId),
    });
    return 'delivered_without_file';
  }
}
