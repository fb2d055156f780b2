import { randomBytes } from 'node:crypto';
import { signWebhook } from '@storefront/test-support';

/** One webhook ready to post: raw body and the headers Razorpay sends. */
export interface SignedEvent {
  orderId: string;
  event: string;
  eventId: string;
  body: string;
  signature: string;
}

/** The three events Razorpay sends for one captured payment of `order`, signed with `secret`. */
export function eventsFor(
  order: { orderId: string; gatewayOrderId: string },
  amount: number,
  secret: string,
): SignedEvent[] {
  const paymentId = `pay_${randomBytes(7).toString('hex')}`;
  const now = Math.floor(Date.now() / 1000);
  const payment = (status: 'authorized' | 'captured') => ({
    id: paymentId,
    entity: 'payment',
    amount,
    currency: 'INR',
    status,
    order_id: order.gatewayOrderId,
    method: 'upi',
    captured: status === 'captured',
    email: 'buyer@example.test',
    contact: '+919000090000',
    notes: [],
    error_code: null,
    created_at: now,
  });
  const gatewayOrder = {
    id: order.gatewayOrderId,
    entity: 'order',
    amount,
    amount_paid: amount,
    amount_due: 0,
    currency: 'INR',
    receipt: order.orderId,
    status: 'paid',
    notes: { orderId: order.orderId },
    created_at: now,
  };
  const bodies: Array<[string, Record<string, unknown>]> = [
    ['payment.authorized', { payment: { entity: payment('authorized') } }],
    ['payment.captured', { payment: { entity: payment('captured') } }],
    ['order.paid', { payment: { entity: payment('captured') }, order: { entity: gatewayOrder } }],
  ];
  return bodies.map(([event, payload]) => {
    const body = JSON.stringify({
      entity: 'event',
      account_id: 'acc_bench',
      event,
      contains: Object.keys(payload),
      payload,
      created_at: now,
    });
    return {
      orderId: order.orderId,
      event,
      eventId: `evt_${randomBytes(8).toString('hex')}`,
      body,
      signature: signWebhook(body, secret),
    };
  });
}
