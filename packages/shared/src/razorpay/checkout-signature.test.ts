import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validatePaymentVerification } from 'razorpay/dist/utils/razorpay-utils.js';
import { verifyCheckoutSignature } from './checkout-signature.ts';

const keySecret = 'ks_test_secret';
const orderId = 'order_Abc123Def456Gh';
const paymentId = 'pay_Zyx987Wvu654Ts';
const sign = (payload: string, key = keySecret) =>
  createHmac('sha256', key).update(payload).digest('hex');

describe('verifyCheckoutSignature', () => {
  it('when the signature is the HMAC of `order_id|payment_id` with the key secret, then it is accepted', () => {
    const signature = sign(`${orderId}|${paymentId}`);
    expect(verifyCheckoutSignature(orderId, paymentId, signature, keySecret)).toBe(true);
    expect(verifyCheckoutSignature(orderId, paymentId, signature.toUpperCase(), keySecret)).toBe(
      true,
    );
  });

  it('when it agrees with the SDK, then both accept the same signature', () => {
    const signature = sign(`${orderId}|${paymentId}`);
    expect(
      validatePaymentVerification(
        { order_id: orderId, payment_id: paymentId },
        signature,
        keySecret,
      ),
    ).toBe(true);
    expect(verifyCheckoutSignature(orderId, paymentId, signature, keySecret)).toBe(true);
  });

  it('when the order, payment, secret or signature differ, then it is rejected', () => {
    const signature = sign(`${orderId}|${paymentId}`);
    expect(verifyCheckoutSignature('order_Other00000000', paymentId, signature, keySecret)).toBe(
      false,
    );
    expect(verifyCheckoutSignature(orderId, 'pay_Other000000000', signature, keySecret)).toBe(
      false,
    );
    expect(verifyCheckoutSignature(orderId, paymentId, signature, 'another_secret')).toBe(false);
    const flipped = signature.slice(0, 63) + (signature.endsWith('0') ? '1' : '0');
    expect(verifyCheckoutSignature(orderId, paymentId, flipped, keySecret)).toBe(false);
    // The ids swapped, or joined without the separator, sign something else.
    expect(
      verifyCheckoutSignature(orderId, paymentId, sign(`${paymentId}|${orderId}`), keySecret),
    ).toBe(false);
    expect(
      verifyCheckoutSignature(orderId, paymentId, sign(`${orderId}${paymentId}`), keySecret),
    ).toBe(false);
  });

  it('when an input is missing, empty or malformed, then it returns false without throwing', () => {
    const signature = sign(`${orderId}|${paymentId}`);
    for (const bad of [undefined, '', 'abc', 'z'.repeat(64), signature + '00', ` ${signature}`]) {
      expect(verifyCheckoutSignature(orderId, paymentId, bad, keySecret)).toBe(false);
    }
    expect(verifyCheckoutSignature(orderId, paymentId, signature, '')).toBe(false);
    expect(verifyCheckoutSignature('', paymentId, sign(`|${paymentId}`), keySecret)).toBe(false);
    expect(verifyCheckoutSignature(orderId, '', sign(`${orderId}|`), keySecret)).toBe(false);
    expect(
      verifyCheckoutSignature(undefined as unknown as string, paymentId, signature, keySecret),
    ).toBe(false);
  });
});
