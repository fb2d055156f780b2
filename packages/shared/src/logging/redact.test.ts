import { describe, expect, it } from 'vitest';
import { redact } from './redact.ts';

describe('redact', () => {
  it('when a value holds secret-named keys at any depth, then they are replaced', () => {
    const out = redact({
      headers: { Authorization: 'Bearer abc', cookie: 'sid=1' },
      body: { password: 'hunter2', nested: [{ key_secret: 'k', cvv: '123' }] },
      keep: 'visible',
    });
    expect(out).toEqual({
      headers: { Authorization: '[redacted]', cookie: '[redacted]' },
      body: { password: '[redacted]', nested: [{ key_secret: '[redacted]', cvv: '[redacted]' }] },
      keep: 'visible',
    });
  });

  it('when free text contains a card-like digit run, then it is masked', () => {
    expect(redact('paid with 4111 1111 1111 1111 today')).toBe('paid with [redacted-digits] today');
    expect(redact('order 12345 ok')).toBe('order 12345 ok');
  });

  it('when response headers or gateway callbacks are logged, then refreshed tokens and signatures are replaced', () => {
    expect(
      redact({ 'X-Refreshed-Token': 'eyJ.x.y', razorpay_signature: 'abc', METRICS_TOKEN: 't' }),
    ).toEqual({
      'X-Refreshed-Token': '[redacted]',
      razorpay_signature: '[redacted]',
      METRICS_TOKEN: '[redacted]',
    });
  });
});
