// NFR6: no card data is stored or logged. Razorpay never sends a full card number on purpose,
// but free text that passes through us (payment notes, error descriptions, bios) can carry one a
// buyer typed. The same mask serves logs and every free-text field we store.

/** What replaces a card number in stored or logged text. */
export const CARD_NUMBER_MASK = '[redacted-digits]';

// 12–19 digits (Maestro to the longest PANs), optionally grouped by single spaces or dashes,
// not glued to other letters or digits.
const CANDIDATE = /(?<![0-9A-Za-z])\d(?:[ -]?\d){11,18}(?![0-9A-Za-z])/g;

/** Luhn (mod 10) checksum of a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d > 4 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** `text` with every Luhn-valid run of 12–19 digits (spaces or dashes allowed) masked. */
export function maskCardNumbers(text: string): string {
  if (!/\d{4}/.test(text)) return text; // the common case: no run long enough to check
  return text.replace(CANDIDATE, (run) =>
    luhnValid(run.replace(/[ -]/g, '')) ? CARD_NUMBER_MASK : run,
  );
}

/**
 * A mongoose String path whose value is stored with card numbers masked (a setter: it runs on
 * document saves, inserts through the model and `$set`/`$setOnInsert` in updates).
 */
export const maskedText = {
  type: String,
  set: (value: unknown): unknown => (typeof value === 'string' ? maskCardNumbers(value) : value),
} as const;
