import { describe, expect, it } from 'vitest';
import {
  buildOrder,
  buildPayment,
  capturePayment,
  orderView,
  paymentView,
} from './sandbox-entities.ts';

const order = () =>
  buildOrder({
    amount: 49_900,
    currency: 'INR',
    receipt: 'r-1',
    notes: { orderId: 'o-1', creatorId: 'c-1' },
    partialPayment: false,
  });

const cardPayment = () => {
  const payment = buildPayment(order(), {
    amount: 49_900,
    method: 'card',
    email: 'buyer@example.com',
    contact: '+919999999999',
    failed: undefined,
  });
  payment.acquirer_data = { auth_code: '123456' };
  return payment;
};

describe('sandbox entity views', () => {
  it('when an order view is taken, then it equals a deep copy, key order included, and later changes on either side do not cross', () => {
    const record = order();
    const view = orderView(record);
    expect(view).toStrictEqual(structuredClone(record));
    expect(Object.keys(view)).toEqual(Object.keys(record));

    record.status = 'paid';
    (record.notes as Record<string, string>).orderId = 'changed';
    (view.notes as Record<string, string>).creatorId = 'changed too';
    expect(view.status).toBe('created');
    expect(view.notes).toEqual({ orderId: 'o-1', creatorId: 'changed too' });
    expect(record.notes).toEqual({ orderId: 'changed', creatorId: 'c-1' });
  });

  it('when an order has no notes (Razorpay sends []), then its view has its own empty array', () => {
    const record = buildOrder({
      amount: 100,
      currency: 'INR',
      receipt: null,
      notes: [],
      partialPayment: false,
    });
    const view = orderView(record);
    expect(view.notes).toEqual([]);
    expect(view.notes).not.toBe(record.notes);
  });

  it('when a payment view with its card is taken, then it equals a deep copy and a later capture or edit does not reach it', () => {
    const payment = cardPayment();
    const view = paymentView(payment, true);
    expect(view).toStrictEqual(structuredClone(payment));
    expect(Object.keys(view)).toEqual(Object.keys(payment));

    capturePayment(payment);
    payment.card!.last4 = '0000';
    payment.acquirer_data.auth_code = 'changed';
    expect(view).toMatchObject({ status: 'authorized', captured: false, fee: null });
    expect(view.card?.last4).toBe('1111');
    expect(view.acquirer_data).toEqual({ auth_code: '123456' });

    view.card!.network = 'changed';
    view.acquirer_data.rrn = 'changed';
    expect(payment.card?.network).toBe('Visa');
    expect(payment.acquirer_data).toEqual({ auth_code: 'changed' });
  });

  it('when a payment view without its card is taken, then the card is left out and the record keeps it', () => {
    const payment = cardPayment();
    const view = paymentView(payment, false);
    expect('card' in view).toBe(false);
    const { card, ...rest } = structuredClone(payment);
    expect(view).toStrictEqual(rest);
    expect(payment.card).toEqual(card);
  });
});
