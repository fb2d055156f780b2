import { describe, expect, it } from 'vitest';
import { CARD_NUMBER_MASK, luhnValid, maskCardNumbers } from './card-numbers.ts';

describe('maskCardNumbers', () => {
  it('when text holds Luhn-valid 12–19 digit runs, plain or grouped, then each is masked', () => {
    for (const pan of [
      '4111111111111111',
      '4111 1111 1111 1111',
      '5555-5555-5555-4444',
      '378282246310005',
      '6759649826438453',
      '501800000009', // 12-digit Maestro-like
      '6011000990139424',
      '6304 0000 0000 0000 018', // 19 digits
    ]) {
      expect(luhnValid(pan.replace(/[ -]/g, '')), pan).toBe(true);
      expect(maskCardNumbers(`card ${pan} please`), pan).toBe(`card ${CARD_NUMBER_MASK} please`);
    }
    expect(maskCardNumbers('a:4111111111111111,b:5555555555554444')).toBe(
      `a:${CARD_NUMBER_MASK},b:${CARD_NUMBER_MASK}`,
    );
  });

  it('when digit runs fail Luhn, are too short or long, or sit inside an identifier, then they stay', () => {
    for (const text of [
      'order 12345 ok',
      '4111111111111112', // Luhn fails
      '41111111111', // 11 digits
      '41111111111111111111', // 20 digits
      'pay_A4111111111111111', // glued to letters: part of an id
      '6b0771a4111111111111111c',
      '+91 90000 90000',
    ]) {
      expect(maskCardNumbers(text)).toBe(text);
    }
  });

  it('when the Luhn checksum is computed, then it matches known valid and invalid numbers', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('4111111111111111')).toBe(true);
  });
});
