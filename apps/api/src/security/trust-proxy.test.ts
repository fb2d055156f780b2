import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './trust-proxy.ts';

describe('parseTrustProxy', () => {
  it.each([
    ['false', false],
    ['', false],
    ['0', false],
    ['1', 1],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.5', ['10.0.0.0/8', '192.168.1.5']],
    ['loopback,fc00::/7', ['loopback', 'fc00::/7']],
  ])('when TRUST_PROXY=%j, then express gets %j', (input, expected) => {
    expect(parseTrustProxy(input)).toEqual(expected);
  });

  it.each(['true', 'TRUE', 'example.com', '10.0.0.0/8/1', '10.0.0.0/abc'])(
    'when TRUST_PROXY=%j, then it is refused',
    (input) => {
      expect(() => parseTrustProxy(input)).toThrow(/TRUST_PROXY/);
    },
  );
});
