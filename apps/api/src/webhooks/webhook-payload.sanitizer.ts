// The inbox keeps only what processing and operators need. Razorpay payloads also carry card
// details (`card`: last4, network, issuer…), UPI handles, bank account data and buyer contact
// details; none of that is ours to keep, so fields are allow-listed rather than block-listed:
// a field Razorpay adds tomorrow is dropped until someone decides we need it. Free text that is
// kept (notes, error descriptions, receipts) has card numbers masked, as the logs do.
import { maskCardNumbers } from '@storefront/shared';

const EVENT_FIELDS = ['entity', 'account_id', 'event', 'contains', 'created_at'] as const;

const ENTITY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  payment: [
    'id',
    'entity',
    'amount',
    'currency',
    'status',
    'order_id',
    'invoice_id',
    'method',
    'captured',
    'amount_refunded',
    'refund_status',
    'international',
    'notes',
    'fee',
    'tax',
    'error_code',
    'error_description',
    'error_source',
    'error_step',
    'error_reason',
    'created_at',
  ],
  order: [
    'id',
    'entity',
    'amount',
    'amount_paid',
    'amount_due',
    'currency',
    'receipt',
    'status',
    'attempts',
    'notes',
    'created_at',
  ],
};
// Entities we do not process (refund, dispute, …) keep only what identifies them.
const GENERIC_FIELDS = [
  'id',
  'entity',
  'amount',
  'currency',
  'status',
  'payment_id',
  'order_id',
  'created_at',
];
const ENTITY_NAME = /^[a-z_]{1,32}$/;
const MAX_ENTITIES = 10;
const MAX_NOTES = 15;
const MAX_NOTE_LENGTH = 256;

/**
 * The webhook body as stored in the inbox: top-level event fields and, per contained entity, an
 * allow-list of fields (no card, VPA, bank, email or phone data). Notes keep at most 15 string or
 * number values. Pure: the input is not modified.
 */
export function sanitizeWebhookPayload(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) return {};
  const out = pick(body, EVENT_FIELDS);
  if (Array.isArray(out.contains)) {
    out.contains = out.contains.filter((c): c is string => typeof c === 'string').slice(0, 10);
  } else {
    delete out.contains;
  }
  const payload = body.payload;
  if (!isRecord(payload)) return out;
  const cleanPayload: Record<string, unknown> = {};
  for (const [name, wrapper] of Object.entries(payload).slice(0, MAX_ENTITIES)) {
    if (!ENTITY_NAME.test(name) || !isRecord(wrapper) || !isRecord(wrapper.entity)) continue;
    const entity = pick(wrapper.entity, ENTITY_FIELDS[name] ?? GENERIC_FIELDS);
    if ('notes' in entity) entity.notes = sanitizeNotes(entity.notes);
    cleanPayload[name] = { entity };
  }
  out.payload = cleanPayload;
  return out;
}

function sanitizeNotes(notes: unknown): Record<string, string | number> {
  // Razorpay sends empty notes as [] (a PHP artefact); store them as an object either way.
  if (!isRecord(notes)) return {};
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(notes).slice(0, MAX_NOTES)) {
    if (key.startsWith('$') || key.includes('.')) continue; // not storable as a MongoDB field name
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
    else if (typeof value === 'string') out[key] = maskCardNumbers(value).slice(0, MAX_NOTE_LENGTH);
  }
  return out;
}

function pick(source: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = source[field];
    if (value === undefined) continue;
    // Only scalars (and notes/contains, handled by the caller): nothing nested slips through.
    if (isRecord(value) && field !== 'notes') continue;
    if (Array.isArray(value) && field !== 'contains' && field !== 'notes') continue;
    out[field] = typeof value === 'string' ? maskCardNumbers(value) : value;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
