import { describe, expect, it } from 'vitest';
import { paymentError, seenPayments } from './gateway-payment.ts';

describe('gateway payment facts', () => {
  it('when payments are logged, then only id, status and amount are kept', () => {
    const payment = { id: 'pay_1', status: 'failed', amount: 49_900, card: { last4: '1111' } };
    expect(seenPayments([payment])).toEqual([{ id: 'pay_1', status: 'failed', amount: 49_900 }]);
  });

  it('when a payment failed, then its code, description and reason are taken and nulls dropped', () => {
    expect(
      paymentError({
        error_code: 'BAD_REQUEST_ERROR',
        error_description: 'Payment failed',
        error_reason: null,
      }),
    ).toEqual({ code: 'BAD_REQUEST_ERROR', description: 'Payment failed', reason: undefined });
  });
});
