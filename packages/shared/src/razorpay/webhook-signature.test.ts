import { createHmac } from 'node:crypto';
import Razorpay from 'razorpay';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from './webhook-signature.ts';

const secret = 'whsec_test';
const body = Buffer.from('{"entity":"event","event":"payment.captured","note":"₹ ok"}');
const sign = (bytes: Buffer, key = secret) => createHmac('sha256', key).update(bytes).digest('hex');

describe('verifyWebhookSignature', () => {
  it('when the signature is the HMAC of the raw body, then it is accepted', () => {
    expect(verifyWebhookSignature(body, sign(body), secret)).toBe(true);
    expect(verifyWebhookSignature(body, sign(body).toUpperCase(), secret)).toBe(true);
  });

  it('when it agrees with the SDK, then both accept the same signature', () => {
    const signature = sign(body);
    expect(Razorpay.validateWebhookSignature(body.toString(), signature, secret)).toBe(true);
    expect(verifyWebhookSignature(body, signature, secret)).toBe(true);
  });

  it('when the body, secret or signature differ, then it is rejected', () => {
    const tampered = Buffer.from(body.toString().replace('captured', 'failed'));
    expect(verifyWebhookSignature(tampered, sign(body), secret)).toBe(false);
    expect(verifyWebhookSignature(body, sign(body, 'other'), secret)).toBe(false);
    expect(verifyWebhookSignature(body, sign(body).slice(0, 63) + '0', secret)).toBe(false);
  });

  it('when the signature is missing or malformed, then it returns false without throwing', () => {
    for (const bad of [undefined, '', 'abc', 'z'.repeat(64), sign(body) + '00', ' ' + sign(body)]) {
      expect(verifyWebhookSignature(body, bad, secret)).toBe(false);
    }
    expect(verifyWebhookSignature(body, sign(body), '')).toBe(false);
    expect(verifyWebhookSignature('not a buffer' as unknown as Buffer, sign(body), secret)).toBe(
      false,
    );
  });
});
