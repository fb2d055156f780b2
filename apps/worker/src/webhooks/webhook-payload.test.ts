import { describe, expect, it } from 'vitest';
import { PermanentWebhookError } from './webhook-errors.ts';
import { ourOrderIdHints, parsePaymentEvent } from './webhook-payload.ts';

const payment = {
  id: 'pay_1',
  entity: 'payment',
  amount: 49_900,
  currency: 'INR',
  status: 'captured',
  order_id: 'order_1',
  notes: [],
};

describe('parsePaymentEvent', () => {
  it('when the body carries a payment, then its fields are read', () => {
    const ev = parsePaymentEvent({ payload: { payment: { entity: payment } } });
    expect(ev.payment).toMatchObject({ id: 'pay_1', amount: 49_900, order_id: 'order_1' });
    expect(ev.order).toBeUndefined();
  });

  it.each([
    ['no payload', {}],
    ['no payment', { payload: { order: { entity: { id: 'order_1' } } } }],
    ['a fractional amount', { payload: { payment: { entity: { ...payment, amount: 10.5 } } } }],
    ['no payment id', { payload: { payment: { entity: { ...payment, id: '' } } } }],
  ])('when the body has %s, then it fails permanently', (_label, body) => {
    expect(() => parsePaymentEvent(body)).toThrow(PermanentWebhookError);
  });
});

describe('ourOrderIdHints', () => {
  it('when order.paid carries notes and a receipt, then both are hints, without repeats', () => {
    const id = '65f000000000000000000001';
    const ev = parsePaymentEvent({
      payload: {
        payment: { entity: { ...payment, notes: { orderId: id } } },
        order: { entity: { id: 'order_1', receipt: id, notes: { orderId: id } } },
      },
    });
    expect(ourOrderIdHints(ev)).toEqual([id]);
  });

  it('when Razorpay sends empty notes as [], then there are no hints from them', () => {
    const ev = parsePaymentEvent({
      payload: {
        payment: { entity: payment },
        order: { entity: { id: 'o', receipt: null, notes: [] } },
      },
    });
    expect(ourOrderIdHints(ev)).toEqual([]);
  });
});
