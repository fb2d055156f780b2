import { describe, expect, it } from 'vitest';
import { findHostileInput, looksLikeCardNumber } from './input-guard.ts';

describe('findHostileInput', () => {
  it.each([
    [{ username: { $gt: '' } }, 'INVALID_INPUT', 'username.$gt'],
    [{ $where: 'sleep(1000)' }, 'INVALID_INPUT', '$where'],
    [{ 'profile.razorpay': 'x' }, 'INVALID_INPUT', 'profile.razorpay'],
    [JSON.parse('{"__proto__": {"admin": true}}'), 'INVALID_INPUT', '__proto__'],
    [{ a: { constructor: { prototype: {} } } }, 'INVALID_INPUT', 'a.constructor'],
    [{ items: [{ ok: 1 }, { $ne: 1 }] }, 'INVALID_INPUT', 'items.1.$ne'],
    [{ card: { number: '4111' } }, 'CARD_DATA_REJECTED', 'card'],
    [{ Card_Number: 'x' }, 'CARD_DATA_REJECTED', 'Card_Number'],
    [{ cvv: '123' }, 'CARD_DATA_REJECTED', 'cvv'],
    [{ 'expiry-month': '12' }, 'CARD_DATA_REJECTED', 'expiry-month'],
    [{ note: '4111 1111 1111 1111' }, 'CARD_DATA_REJECTED', 'note'],
    [{ list: ['5555-5555-5555-4444'] }, 'CARD_DATA_REJECTED', 'list.0'],
  ])('when the input is %j, then it is rejected as %s at %s', (input, code, path) => {
    const err = findHostileInput(input);
    expect(err?.code).toBe(code);
    expect(err?.httpStatus).toBe(400);
    expect(err?.details).toEqual({ path });
  });

  it.each([
    [{ name: 'Ebook', price: 49900, tags: ['a', 'b'], nested: { ok: true } }],
    [{ phone: '+919876543210', note: 'order 1234567890123 (not Luhn)' }],
    [{ timestamp: 1718000000000 }],
    [[1, 2, 3]],
    [null],
  ])('when the input is ordinary (%j), then it passes', (input) => {
    expect(findHostileInput(input)).toBeUndefined();
  });

  it('when the input nests deeper than 32 levels, then it is rejected without recursion', () => {
    const deep = JSON.parse('['.repeat(50_000) + ']'.repeat(50_000)) as unknown;
    expect(findHostileInput(deep)?.code).toBe('INVALID_INPUT');
  });
});

describe('card number detection', () => {
  it('when a number passes Luhn, then it is recognised', () => {
    expect(looksLikeCardNumber('4111111111111111')).toBe(true);
    expect(looksLikeCardNumber('4111111111111112')).toBe(false);
  });

  it('when a digit run is too short, too long or starts unlike a card, then it is not a card', () => {
    expect(looksLikeCardNumber('411111111111')).toBe(false); // 12 digits
    expect(looksLikeCardNumber('41111111111111111111')).toBe(false); // 20 digits
    expect(looksLikeCardNumber('0000000000000000')).toBe(false); // Luhn-valid, no network
    expect(looksLikeCardNumber('378282246310005')).toBe(true); // Amex test number
  });

  it('when a card number sits inside free text, then it is found', () => {
    expect(looksLikeCardNumber('pay me: 5555 5555 5555 4444 thanks')).toBe(true);
    expect(looksLikeCardNumber('ref#4111-1111-1111-1111.')).toBe(true);
  });

  it('when free text holds long digit runs that are not cards, then it passes', () => {
    expect(looksLikeCardNumber('order 1234567890123 placed')).toBe(false); // Luhn-invalid
    expect(looksLikeCardNumber('id 41111111111111111111')).toBe(false); // 20 digits
    expect(looksLikeCardNumber('call +91 98765 43210')).toBe(false); // 12 digits
  });

  it('when a hex SHA-256 digest holds a Luhn-valid digit run, then it is not a card', () => {
    // Checkout's razorpay_signature is such a digest; ~1 in 500 contain a run like this.
    const signature = 'ab4111111111111111' + 'c'.repeat(46);
    expect(looksLikeCardNumber(signature)).toBe(false);
    expect(looksLikeCardNumber(`${signature}0`)).toBe(true); // 65 characters: not a digest
    expect(looksLikeCardNumber(signature.slice(0, 40))).toBe(true); // shorter: not a digest
  });
});
