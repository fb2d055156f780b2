import { describe, expect, it } from 'vitest';
import { isInternalAddress } from './metrics-access.ts';

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1',
    '::1',
    '::ffff:127.0.0.1',
    '10.1.2.3',
    '172.20.0.5',
    '192.168.1.1',
    'fd12::1',
  ])('when the peer is %s, then it is internal', (ip) => {
    expect(isInternalAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '::ffff:8.8.8.8', '2001:db8::1', undefined])(
    'when the peer is %s, then it is not internal',
    (ip) => {
      expect(isInternalAddress(ip)).toBe(false);
    },
  );
});
