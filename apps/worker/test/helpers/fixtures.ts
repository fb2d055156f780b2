import { randomBytes, randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { eventually, type PollOptions } from '@storefront/test-support';
import {
  enqueueWebhook,
  orderModel,
  productModel,
  webhookEventModel,
  type Order,
  type Producers,
} from '@storefront/shared';

// Data for worker tests that stand in for what the API writes: a product, an order with its
// gateway order id, and inbox events shaped like Razorpay's webhook bodies.

export function gatewayId(prefix: 'order' | 'pay'): string {
  return `${prefix}_${randomBytes(7).toString('hex')}`;
}

/** Waits until order `orderId` is delivered and returns it as stored then. */
export function deliveredOrder(
  mongo: Connection,
  orderId: string | Types.ObjectId,
  opts: PollOptions = {},
): Promise<Order> {
  return eventually(
    async () => {
      const o = await orderModel(mongo).findById(orderId).lean<Order>().exec();
      return o?.delivery?.status === 'delivered' ? o : null;
    },
    { what: `order ${String(orderId)} delivered`, ...opts },
  );
}

/** A product (with a file unless `file: false`) and a pending order for it. */
export async function seedOrder(
  mongo: Connection,
  opts: { amount?: number; file?: boolean; account?: string; gatewayOrderId?: string | null } = {},
): Promise<{ order: Order; fileKey?: string }> {
  const creatorId = new Types.ObjectId();
  const fileKey = opts.file === false ? undefined : `products/${randomUUID()}/guide.pdf`;
  const product = await productModel(mongo).create({
    creatorId,
    title: 'Guide',
    price: opts.amount ?? 49_900,
    status: 'active',
    ...(fileKey
      ? {
          file: {
            key: fileKey,
            name: 'guide.pdf',
            contentType: 'application/pdf',
            size: 10,
            uploadedAt: new Date(),
          },
        }
      : {}),
  });
  const order = await orderModel(mongo).create({
    creatorId,
    productId: product._id,
    productTitle: 'Guide',
    amount: opts.amount ?? 49_900,
    currency: 'INR',
    status: 'pending',
    buyer: { email: 'buyer@example.com' },
    gatewayAccount: opts.account ?? 'platform',
    ...(opts.gatewayOrderId === null
      ? {}
      : { gatewayOrderId: opts.gatewayOrderId ?? gatewayId('order') }),
    accessTokenHash: randomBytes(32).toString('hex'),
  });
  return { order: order.toObject(), fileKey };
}

/** A Razorpay-shaped webhook body about one payment of `order`. */
export function eventBody(
  event: string,
  order: Pick<Order, '_id' | 'amount' | 'gatewayOrderId'>,
  opts: { paymentId?: string; amount?: number; gatewayOrderId?: string; status?: string } = {},
): Record<string, unknown> {
  const gatewayOrderId = opts.gatewayOrderId ?? order.gatewayOrderId ?? gatewayId('order');
  const status =
    opts.status ??
    { 'payment.captured': 'captured', 'order.paid': 'captured', 'payment.failed': 'failed' }[
      event
    ] ??
    'authorized';
  const payment = {
    id: opts.paymentId ?? gatewayId('pay'),
    entity: 'payment',
    amount: opts.amount ?? order.amount,
    currency: 'INR',
    status,
    order_id: gatewayOrderId,
    method: 'upi',
    captured: status === 'captured',
    notes: [],
    error_code: status === 'failed' ? 'BAD_REQUEST_ERROR' : null,
    error_description: status === 'failed' ? 'Payment failed' : null,
    error_reason: status === 'failed' ? 'payment_failed' : null,
    created_at: Math.floor(Date.now() / 1000),
  };
  const payload: Record<string, unknown> = { payment: { entity: payment } };
  if (event === 'order.paid') {
    payload.order = {
      entity: {
        id: gatewayOrderId,
        entity: 'order',
        amount: order.amount,
        amount_paid: order.amount,
        amount_due: 0,
        currency: 'INR',
        receipt: String(order._id),
        status: 'paid',
        notes: { orderId: String(order._id) },
      },
    };
  }
  return {
    entity: 'event',
    account_id: 'acc_test',
    event,
    contains: Object.keys(payload),
    payload,
    created_at: Math.floor(Date.now() / 1000),
  };
}

/** Writes an inbox event (as the API does before answering 200) and, unless told not to, enqueues it. */
export async function receiveEvent(
  mongo: Connection,
  producers: Producers | null,
  body: Record<string, unknown>,
  opts: { eventId?: string; account?: string; receivedAt?: Date } = {},
): Promise<string> {
  const eventId = opts.eventId ?? `evt_${randomBytes(7).toString('hex')}`;
  await webhookEventModel(mongo).create({
    _id: eventId,
    account: opts.account ?? 'platform',
    event: String(body.event),
    payload: body,
    status: 'received',
    attempts: 0,
    receivedAt: opts.receivedAt ?? new Date(),
  });
  if (producers) await enqueueWebhook(producers.webhooks, eventId);
  return eventId;
}
