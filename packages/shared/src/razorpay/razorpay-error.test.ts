import { describe, expect, it } from 'vitest';
import { RazorpayError, parseRetryAfter } from './razorpay-error.ts';

describe('RazorpayError', () => {
  it('when the failure is 429, 5xx, a timeout or a network error, then it is retryable', () => {
    expect(new RazorpayError({ kind: 'http', statusCode: 429, description: 'x' }).retryable).toBe(
      true,
    );
    expect(new RazorpayError({ kind: 'http', statusCode: 503, description: 'x' }).retryable).toBe(
      true,
    );
    expect(new RazorpayError({ kind: 'timeout', description: 'x' }).retryable).toBe(true);
    expect(new RazorpayError({ kind: 'network', description: 'x' }).retryable).toBe(true);
  });

  it('when Razorpay rejects the request with 4xx, then it is not retryable', () => {
    for (const statusCode of [400, 401, 404]) {
      expect(new RazorpayError({ kind: 'http', statusCode, description: 'x' }).retryable).toBe(
        false,
      );
    }
  });
});

describe('parseRetryAfter', () => {
  it('when the header holds seconds or an HTTP date, then it yields seconds to wait', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter(3, now)).toBe(3);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
  });

  it('when the header is absent or garbage, then it yields undefined', () => {
    for (const value of [undefined, null, '', 'soon', '-1', {}]) {
      expect(parseRetryAfter(value)).toBeUndefined();
    }
  });
});
