import type { RequestHandler } from 'express';
import { AppError, luhnValid } from '@storefront/shared';

// Field names that can only mean raw card data. We take no card details, ever: Razorpay's
// checkout collects them on its own pages. (Not `pan`: in India that is the tax id.)
const CARD_KEYS = new Set([
  'card',
  'card_number',
  'cardnumber',
  'card_no',
  'cardno',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'csc',
  'card_cvv',
  'security_code',
  'expiry',
  'expiry_month',
  'expiry_year',
  'exp_month',
  'exp_year',
  'card_expiry',
]);

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;
// Runs of 13–19 digits (single spaces or dashes allowed between them) not glued to more digits.
const DIGIT_RUN = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;
const HAS_13_DIGITS = /\d(?:[ -]?\d){12}/;
// A SHA-256 hex digest: Checkout's `razorpay_signature`, hashes. About 1 in 500 of them holds a
// Luhn-valid digit run by chance, and no card field is 64 hex characters long.
const HEX_DIGEST = /^[0-9a-f]{64}$/i;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-\s]/g, '_');
}

/**
 * True when `value` contains something that looks like a real card number: 13–19 digits,
 * starting like a card network (2–6), Luhn-valid; on its own or inside free text. A value that is
 * exactly a hex SHA-256 digest is not one.
 */
export function looksLikeCardNumber(value: string): boolean {
  if (value.length < 13 || !HAS_13_DIGITS.test(value) || HEX_DIGEST.test(value)) return false;
  for (const match of value.matchAll(DIGIT_RUN)) {
    const digits = match[0].replace(/[ -]/g, '');
    const first = digits.charCodeAt(0) - 48;
    if (first >= 2 && first <= 6 && luhnValid(digits)) return true;
  }
  return false;
}

/** The input was rejected by the global guard (400). */
export class HostileInputError extends AppError {
  constructor(code: 'INVALID_INPUT' | 'CARD_DATA_REJECTED', message: string, path: string) {
    super(code, 400, message, { details: { path } });
  }
}

/**
 * Walks a parsed JSON body or query object and returns the first problem: a MongoDB operator or
 * dotted key (`$gt`, `a.b`), a prototype key, nesting past 32 levels, or card data (a card
 * field name or a Luhn-valid card number anywhere). Iterative, so deep nesting cannot blow
 * the stack.
 */
export function findHostileInput(root: unknown): HostileInputError | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: root, path: '', depth: 0 },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') {
      if (looksLikeCardNumber(value)) {
        return new HostileInputError('CARD_DATA_REJECTED', 'Card data is not accepted', path);
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) {
      return new HostileInputError('INVALID_INPUT', 'Input is nested too deeply', path);
    }
    const isArray = Array.isArray(value);
    for (const key of Object.keys(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (!isArray) {
        if (key.startsWith('$') || key.includes('.') || FORBIDDEN_KEYS.has(key)) {
          return new HostileInputError(
            'INVALID_INPUT',
            `Field name not allowed: ${key}`,
            childPath,
          );
        }
        if (CARD_KEYS.has(normalizeKey(key))) {
          return new HostileInputError(
            'CARD_DATA_REJECTED',
            'Card data is not accepted',
            childPath,
          );
        }
      }
      stack.push({
        value: (value as Record<string, unknown>)[key],
        path: childPath,
        depth: depth + 1,
      });
    }
  }
  return undefined;
}

/**
 * Rejects a request whose query string carries operator keys, prototype keys or card data
 * (400). Any `$` in a query key is refused, so `a[$ne]=` is out even though the simple parser
 * would keep it a literal key today. Requests without a query string cost one `indexOf`.
 */
export function queryGuard(): RequestHandler {
  return (req, _res, next) => {
    if (req.url.indexOf('?') === -1) return next();
    const query = req.query as Record<string, unknown>;
    for (const key of Object.keys(query)) {
      if (key.includes('$')) {
        return next(new HostileInputError('INVALID_INPUT', `Field name not allowed: ${key}`, key));
      }
    }
    next(findHostileInput(query));
  };
}
