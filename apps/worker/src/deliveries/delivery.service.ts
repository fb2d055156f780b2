import type {
  DeliveryRepository,
  Logger,
  Order,
  OrderRepository,
  ProductRepository,
} from '@storefront/shared';

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
    orders: OrderRepository;
    products: ProductRepository;
    deliveries: DeliveryRepository;
    logger: Logger;
    /** After an order's delivery was recorded (metrics, and telling its buyer's waiting read). */
    onDelivered: (orderId: string, withFile: boolean) => void;
  };

  constructor(deps: DeliveryService['deps']) {
    this.deps = deps;
  }

  /** The `deliveries` logger: the queue worker and in-place deliveries log through it too. */
  get logger(): Logger {
    return this.deps.logger;
  }

  /** Delivers order `orderId` (a delivery job): reads it, then as deliverOrder. */
  async deliver(orderId: string): Promise<DeliveryOutcome> {
    const order = await this.deps.orders.findById(orderId);
    if (!order) {
      this.deps.logger.warn('delivery job for a missing order', { orderId });
      return 'missing';
    }
    return this.deliverOrder(order);
  }

  /**
   * Delivers `order` as the caller has just read or written it (the capture that made it paid
   * delivers in place, without a job or another read). Safe to repeat and to race: the record is
   * unique per order and the order's update is conditional.
   */
  async deliverOrder(order: Order): Promise<DeliveryOutcome> {
    const orderId = String(order._id);
    if (order.status !== 'paid') {
      this.deps.logger.warn('delivery of an order that is not paid', {
        orderId,
        status: order.status,
      });
      return 'not_paid';
    }
    if (order.delivery?.status === 'delivered') return 'already_delivered';

    const file = await this.deps.products.fileOf(order.productId);
    const delivery = await this.deps.deliveries.recordOnce({
      orderId: order._id,
      productId: order.productId,
      creatorId: order.creatorId,
      ...(file ? { fileKey: file.key, fileName: file.name } : {}),
      deliveredAt: new Date(),
    });
    const changed = await this.deps.orders.markDelivered(order._id, delivery);
    if (!changed) return 'already_delivered';
    const withFile = delivery.fileKey !== undefined;
    this.deps.onDelivered(orderId, withFile);
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
