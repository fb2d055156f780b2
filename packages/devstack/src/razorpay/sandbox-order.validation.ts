import { validationError } from './sandbox-errors.ts';
import type { SandboxNotes } from './sandbox.types.ts';

/** Input of `POST /v1/orders` after validation. */
export interface CreateOrderInput {
  amount: number;
  currency: string;
  receipt: string | null;
  notes: SandboxNotes;
  partialPayment: boolean;
}

const ALLOWED_FIELDS = new Set([
  'amount',
  'currency',
  'receipt',
  'notes',
  'partial_payment',
  'first_payment_min_amount',
  'payment_capture',
]);

// A subset of the currencies Razorpay accepts; enough to catch typos and lowercase codes.
const CURRENCIES = new Set(['INR', 'USD', 'EUR', 'GBP', 'SGD', 'AED', 'AUD', 'CAD', 'JPY']);

const MIN_AMOUNT = 100;
const MAX_RECEIPT = 40;
const MAX_NOTES = 15;
const MAX_NOTE_VALUE = 256;

/** Validates an order body the way Razorpay does; throws a 400 naming the field. */
export function validateCreateOrder(input: unknown): CreateOrderInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validationError('The request body must be a JSON object');
  }
  const body = input as Record<string, unknown>;
  const extra = Object.keys(body).filter((key) => !ALLOWED_FIELDS.has(key));
  if (extra.length > 0) {
    throw validationError(`${extra.join(', ')} is/are not required and should not be sent`);
  }

  const amount = body.amount;
  if (amount === undefined || amount === null || amount === '') {
    throw validationError('The amount field is required.', 'amount');
  }
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    throw validationError('The amount must be an integer.', 'amount');
  }
  if (amount < MIN_AMOUNT) {
    throw validationError('Order amount less than minimum amount allowed', 'amount');
  }

  const currency = body.currency;
  if (currency === undefined || currency === null || currency === '') {
    throw validationError('The currency field is required.', 'currency');
  }
  if (typeof currency !== 'string' || !CURRENCIES.has(currency)) {
    throw validationError('The selected currency is invalid.', 'currency');
  }

  const receipt = body.receipt ?? null;
  if (receipt !== null && typeof receipt !== 'string') {
    throw validationError('The receipt must be a string.', 'receipt');
  }
  if (receipt !== null && receipt.length > MAX_RECEIPT) {
    throw validationError('The receipt may not be greater than 40 characters.', 'receipt');
  }

  const partial = body.partial_payment ?? false;
  if (typeof partial !== 'boolean' && partial !== 0 && partial !== 1) {
    throw validationError('The partial payment field must be true or false.', 'partial_payment');
  }

  return {
    amount,
    currency,
    receipt,
    notes: validateNotes(body.notes),
    partialPayment: partial === true || partial === 1,
  };
}

function validateNotes(notes: unknown): SandboxNotes {
  if (notes === undefined || notes === null) return [];
  if (Array.isArray(notes)) {
    if (notes.length === 0) return [];
    throw validationError('The notes must be an object of key value pairs.', 'notes');
  }
  if (typeof notes !== 'object') {
    throw validationError('The notes must be an object of key value pairs.', 'notes');
  }
  const entries = Object.entries(notes as Record<string, unknown>);
  if (entries.length > MAX_NOTES) {
    throw validationError('Number of fields in notes should be less than or equal to 15', 'notes');
  }
  const out: Record<string, string | number> = {};
  for (const [key, value] of entries) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw validationError(`The notes.${key} must be a string.`, 'notes');
    }
    if (String(value).length > MAX_NOTE_VALUE) {
      throw validationError(`The notes.${key} may not be greater than 256 characters.`, 'notes');
    }
    out[key] = value;
  }
  return entries.length === 0 ? [] : out;
}
