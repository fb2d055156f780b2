import type { RazorpayPayment, RazorpayPaymentStatus } from '@storefront/shared';
import { describe, expect, it } from 'vitest';
import { decideOrder } from './order-decision.ts';

const EXPIRY = 30 * 60_000;
const NOW = Date.parse('2025-06-01T12:00:00Z');
const young = { createdAt: new Date(NOW - 10 * 60_000) };
const old = { createdAt: new Date(NOW - EXPIRY - 1) };

function payment(id: string, status: RazorpayPaymentStatus, createdAt = 1): RazorpayPayment {
  return {
    id,
    entity: 'payment',
    amount: 49_900,
    currency: 'INR',
    status,
    order_id: 'order_x',
    method: 'card',
    captured: status === 'captured' || status === 'refunded',
    amount_refunded: 0,
    refund_status: null,
    description: null,
    email: null,
    contact: null,
    notes: [],
    fee: null,
    tax: null,
    error_code: null,
    error_description: null,
    error_source: null,
    error_step: null,
    error_reason: null,
    created_at: createdAt,
  };
}

describe('decideOrder', () => {
  it('when a payment was captured, then it is applied whatever the age and other attempts', () => {
    const payments = [
      payment('pay_f', 'failed', 1),
      payment('pay_c2', 'captured', 9),
      payment('pay_c1', 'captured', 5),
    ];
    for (const order of [young, old]) {
      const decision = decideOrder(payments, order, NOW, EXPIRY);
      expect(decision.action).toBe('capture');
      if (decision.action === 'capture') {
        expect(decision.captured.map((p) => p.id)).toEqual(['pay_c1', 'pay_c2']);
      }
    }
  });

  it('when a payment is authorized but not captured, then the order is left pending even past expiry', () => {
    const payments = [payment('pay_f', 'failed'), payment('pay_a', 'authorized')];
    expect(decideOrder(payments, old, NOW, EXPIRY)).toEqual({
      action: 'wait',
      reason: 'awaiting_capture',
    });
  });

  it('when an attempt is still in progress, then the order is left pending', () => {
    expect(decideOrder([payment('pay_c', 'created')], old, NOW, EXPIRY)).toEqual({
      action: 'wait',
      reason: 'in_progress',
    });
  });

  it('when the order is inside the expiry window without a capture, then it is left pending', () => {
    expect(decideOrder([], young, NOW, EXPIRY)).toEqual({
      action: 'wait',
      reason: 'within_window',
    });
    expect(decideOrder([payment('pay_f', 'failed')], young, NOW, EXPIRY)).toEqual({
      action: 'wait',
      reason: 'within_window',
    });
  });

  it('when the window has passed with no payment, then the order expires', () => {
    expect(decideOrder([], old, NOW, EXPIRY)).toEqual({ action: 'expire' });
  });

  it('when the window has passed and every attempt failed or was refunded, then the order fails', () => {
    const payments = [payment('pay_1', 'failed'), payment('pay_2', 'refunded')];
    expect(decideOrder(payments, old, NOW, EXPIRY)).toEqual({ action: 'fail' });
  });
});
