import { posix } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  NotFoundError,
  presignDownloadUrl,
  type Order,
  type OrderRepository,
} from '@storefront/shared';
import type { OrderStatusBody } from '../openapi/response.schemas.ts';
import { DownloadUrlCache } from './download-url-cache.ts';
import { orderAccessTokenMatches } from './order-token.ts';

/** What the buyer's order page shows (`orderStatusResponse`). */
export type OrderStatusView = OrderStatusBody;

export interface OrderStatusDeps {
  orders: OrderRepository;
  s3: S3Client;
  bucket: string;
  downloadTtlSeconds: number;
  tokenTtlSeconds: number;
}

/** The buyer's view of one order, reachable only with the order's access token. */
export class OrderStatusService {
  private readonly deps: OrderStatusDeps;
  /** One product's link serves all its buyers (download-url-cache.ts); a few MB at most. */
  private readonly urls = new DownloadUrlCache({ maxEntries: 5_000 });

  constructor(deps: OrderStatusDeps) {
    this.deps = deps;
  }

  /**
   * The order's status for the holder of its token. Unknown id, wrong token and expired token all
   * raise the same NotFoundError, so the answer never reveals whether an order exists.
   */
  async forToken(orderId: string, token: string | undefined): Promise<OrderStatusView> {
    return this.view(await this.authorize(orderId, token));
  }

  /**
   * The order, if `token` is its access token and not expired; otherwise the same NotFoundError
   * for an unknown id, a wrong token and an expired one.
   */
  async authorize(orderId: string, token: string | undefined): Promise<Order> {
    // Built only when thrown: an error captures a stack trace, and buyers poll this every half
    // second while they wait for their download.
    const notFound = () => new NotFoundError('Order not found');
    if (!token) throw notFound();
    const order = await this.deps.orders.findById(orderId);
    if (!order || !orderAccessTokenMatches(token, order.accessTokenHash)) throw notFound();
    if (order.createdAt.getTime() + this.deps.tokenTtlSeconds * 1000 < Date.now()) {
      throw notFound();
    }
    return order;
  }

  /** What the buyer sees of `order` (only call it for an order `authorize` returned). */
  async view(order: Order): Promise<OrderStatusView> {
    return {
      id: String(order._id),
      status: order.status,
      amount: order.amount,
      currency: order.currency,
      productTitle: order.productTitle,
      createdAt: order.createdAt.toISOString(),
      paidAt: order.paidAt?.toISOString() ?? null,
      lastPaymentError: order.lastPaymentError
        ? {
            code: order.lastPaymentError.code ?? null,
            description: order.lastPaymentError.description ?? null,
          }
        : null,
      download: await this.download(order),
    };
  }

  private async download(order: Order): Promise<OrderStatusView['download']> {
    const delivery = order.delivery?.status === 'delivered' ? order.delivery : undefined;
    const key = delivery?.fileKey;
    if (order.status !== 'paid' || !key) return null;
    const ttl = this.deps.downloadTtlSeconds;
    // Orders delivered before names were recorded fall back to the key's last segment.
    const fileName = delivery.fileName ?? posix.basename(key);
    const { url, expiresAt } = await this.urls.get(
      JSON.stringify([this.deps.bucket, key, fileName, ttl]),
      ttl,
      () => presignDownloadUrl(this.deps.s3, this.deps.bucket, key, ttl, { fileName }),
    );
    return { url, expiresAt: expiresAt.toISOString() };
  }
}
