import { describe, expect, it } from 'vitest';
import { sanitizeWebhookPayload } from './webhook-payload.sanitizer.ts';

const payment = {
  id: 'pay_1',
  entity: 'payment',
  amount: 49900,
  currency: 'INR',
  status: 'captured',
  order_id: 'order_1',
  method: 'card',
  captured: true,
  card_id: 'card_1',
  card: { id: 'card_1', last4: '1111', network: 'Visa', name: 'A Buyer', iin: '411111' },
  vpa: 'buyer@upi',
  bank: 'HDFC',
  wallet: null,
  email: 'buyer@example.test',
  contact: '+919000090000',
  acquirer_data: { rrn: '123', auth_code: 'abc' },
  notes: { orderId: '65f0', creatorId: 'c1', nested: { x: 1 }, 'a.b': 'x', $where: 'y' },
  fee: 1000,
  tax: 180,
  error_code: null,
  error_description: null,
  created_at: 1700000000,
};

const event = {
  entity: 'event',
  account_id: 'acc_1',
  event: 'order.paid',
  contains: ['payment', 'order'],
  payload: {
    payment: { entity: payment },
    order: {
      entity: {
        id: 'order_1',
        entity: 'order',
        amount: 49900,
        amount_paid: 49900,
        amount_due: 0,
        currency: 'INR',
        receipt: '65f0',
        status: 'paid',
        attempts: 1,
        notes: [],
        created_at: 1700000000,
      },
    },
  },
  created_at: 1700000001,
};

describe('sanitizeWebhookPayload', () => {
  it('when a payment carries card, UPI, bank and contact details, then none of them are kept', () => {
    const clean = sanitizeWebhookPayload(event);
    const text = JSON.stringify(clean);
    for (const secret of [
      '1111',
      'Visa',
      'A Buyer',
      '411111',
      'buyer@upi',
      'HDFC',
      'buyer@example.test',
      '+919000090000',
      'rrn',
      'card_1',
    ]) {
      expect(text, secret).not.toContain(secret);
    }
  });

  it('when an event is sanitized, then everything processing needs is still there', () => {
    const clean = sanitizeWebhookPayload(event);
    expect(clean).toEqual({
      entity: 'event',
      account_id: 'acc_1',
      event: 'order.paid',
      contains: ['payment', 'order'],
      created_at: 1700000001,
      payload: {
        payment: {
          entity: {
            id: 'pay_1',
            entity: 'payment',
            amount: 49900,
            currency: 'INR',
            status: 'captured',
            order_id: 'order_1',
            method: 'card',
            captured: true,
            notes: { orderId: '65f0', creatorId: 'c1' },
            fee: 1000,
            tax: 180,
            error_code: null,
            error_description: null,
            created_at: 1700000000,
          },
        },
        order: {
          entity: {
            id: 'order_1',
            entity: 'order',
            amount: 49900,
            amount_paid: 49900,
            amount_due: 0,
            currency: 'INR',
            receipt: '65f0',
            status: 'paid',
            attempts: 1,
            notes: {},
            created_at: 1700000000,
          },
        },
      },
    });
  });

  it('when a failed payment arrives, then its error fields are kept for the order status page', () => {
    const failed = {
      ...event,
      event: 'payment.failed',
      payload: {
        payment: {
          entity: {
            ...payment,
            status: 'failed',
            error_code: 'BAD_REQUEST_ERROR',
            error_description: 'Payment failed',
            error_source: 'bank',
            error_step: 'payment_authorization',
            error_reason: 'payment_failed',
          },
        },
      },
    };
    const entity = (
      sanitizeWebhookPayload(failed).payload as { payment: { entity: Record<string, unknown> } }
    ).payment.entity;
    expect(entity).toMatchObject({
      error_code: 'BAD_REQUEST_ERROR',
      error_description: 'Payment failed',
      error_source: 'bank',
      error_step: 'payment_authorization',
      error_reason: 'payment_failed',
    });
  });

  it('when an unknown entity arrives, then only identifying fields are kept', () => {
    const clean = sanitizeWebhookPayload({
      event: 'refund.created',
      payload: {
        refund: {
          entity: { id: 'rfnd_1', payment_id: 'pay_1', amount: 100, bank_account: { ifsc: 'X' } },
        },
        'bad.name': { entity: { id: 'x' } },
        weird: 'not an object',
      },
    });
    expect(clean).toEqual({
      event: 'refund.created',
      payload: { refund: { entity: { id: 'rfnd_1', payment_id: 'pay_1', amount: 100 } } },
    });
  });

  it('when the input is not an object, then the result is empty and the input is untouched', () => {
    expect(sanitizeWebhookPayload(null)).toEqual({});
    expect(sanitizeWebhookPayload([1, 2])).toEqual({});
    const copy = structuredClone(event);
    sanitizeWebhookPayload(event);
    expect(event).toEqual(copy);
  });
});
