import { describe, expect, it } from 'vitest';
import { razorpayClientCache } from './razorpay-clients.ts';

describe('razorpayClientCache', () => {
  it('when the same key pair asks twice, then it gets the same client', () => {
    const clientFor = razorpayClientCache();
    const keys = { keyId: 'rzp_test_a', keySecret: 'one' };
    expect(clientFor({ ...keys })).toBe(clientFor({ ...keys }));
  });

  it('when the secret was rotated, then the new key pair gets a client of its own', () => {
    const clientFor = razorpayClientCache();
    const before = clientFor({ keyId: 'rzp_test_a', keySecret: 'one' });
    expect(clientFor({ keyId: 'rzp_test_a', keySecret: 'two' })).not.toBe(before);
    expect(clientFor({ keyId: 'rzp_test_b', keySecret: 'one' })).not.toBe(before);
  });

  it('when more key pairs than max are used, then the least recently used client is rebuilt', () => {
    const clientFor = razorpayClientCache({ max: 2 });
    const a = clientFor({ keyId: 'rzp_test_a', keySecret: 's' });
    const b = clientFor({ keyId: 'rzp_test_b', keySecret: 's' });
    clientFor({ keyId: 'rzp_test_a', keySecret: 's' });
    clientFor({ keyId: 'rzp_test_c', keySecret: 's' });
    expect(clientFor({ keyId: 'rzp_test_a', keySecret: 's' })).toBe(a);
    expect(clientFor({ keyId: 'rzp_test_b', keySecret: 's' })).not.toBe(b);
  });
});
