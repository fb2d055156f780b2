import { entityId, unixSeconds } from './sandbox-ids.ts';
import type { CreateOrderInput } from './sandbox-order.validation.ts';
import type {
  PaymentErrorDetails,
  SandboxCard,
  SandboxNotes,
  SandboxOrder,
  SandboxPayment,
  SandboxPaymentMethod,
} from './sandbox.types.ts';

/** A new order, status `created`, as `POST /v1/orders` returns it. */
export function buildOrder(input: CreateOrderInput): SandboxOrder {
  return {
    id: entityId('order'),
    entity: 'order',
    amount: input.amount,
    amount_paid: 0,
    amount_due: input.amount,
    currency: input.currency,
    receipt: input.receipt,
    offer_id: null,
    status: 'created',
    attempts: 0,
    notes: input.notes,
    created_at: unixSeconds(),
  };
}

/** Attempt details chosen by the caller of the pay control endpoint. */
export interface PaymentAttempt {
  amount: number;
  method: SandboxPaymentMethod;
  email: string;
  contact: string;
  failed: PaymentErrorDetails | undefined;
}

/** A payment attempt on `order`, status `authorized` or `failed`, with method-specific fields. */
export function buildPayment(order: SandboxOrder, attempt: PaymentAttempt): SandboxPayment {
  const failed = attempt.failed;
  const card = attempt.method === 'card' ? buildCard() : undefined;
  return {
    id: entityId('pay'),
    entity: 'payment',
    amount: attempt.amount,
    currency: order.currency,
    status: failed === undefined ? 'authorized' : 'failed',
    order_id: order.id,
    invoice_id: null,
    international: false,
    method: attempt.method,
    amount_refunded: 0,
    refund_status: null,
    captured: false,
    description: null,
    card_id: card?.id ?? null,
    ...(card === undefined ? {} : { card }),
    bank: attempt.method === 'netbanking' ? 'HDFC' : null,
    wallet: attempt.method === 'wallet' ? 'paytm' : null,
    vpa: attempt.method === 'upi' ? 'success@razorpay' : null,
    email: attempt.email,
    contact: attempt.contact,
    customer_id: null,
    notes: [],
    fee: null,
    tax: null,
    error_code: failed === undefined ? null : (failed.code ?? 'BAD_REQUEST_ERROR'),
    error_description:
      failed === undefined
        ? null
        : (failed.description ?? 'Payment failed because the bank declined the transaction.'),
    error_source: failed === undefined ? null : (failed.source ?? 'bank'),
    error_step: failed === undefined ? null : (failed.step ?? 'payment_authorization'),
    error_reason: failed === undefined ? null : (failed.reason ?? 'payment_failed'),
    acquirer_data: acquirerData(attempt.method, failed === undefined),
    created_at: unixSeconds(),
  };
}

/** Captures an authorized payment in place: fee of 2 % plus 18 % GST on it, as Razorpay reports. */
export function capturePayment(payment: SandboxPayment): void {
  const base = Math.round(payment.amount * 0.02);
  const tax = Math.round(base * 0.18);
  payment.status = 'captured';
  payment.captured = true;
  payment.fee = base + tax;
  payment.tax = tax;
}

// Views handed out (webhook payloads, answers, getters) must not change when the sandbox later
// updates its record, nor change it. The entities are flat apart from `notes`, `card` and
// `acquirer_data`, whose values are strings, numbers, booleans or null: copying those objects as
// well makes a full copy at a fiftieth of structuredClone's cost (0.08 against 4.3 µs a
// payment), which was the sandbox's largest function in a 10,000-buyer drop (0.6 CPU-s).

function copyNotes(notes: SandboxNotes): SandboxNotes {
  return Array.isArray(notes) ? [] : { ...notes };
}

/** A copy of an order, independent of the sandbox's record. */
export function orderView(order: SandboxOrder): SandboxOrder {
  return { ...order, notes: copyNotes(order.notes) };
}

/** A copy of a payment; the card object only when asked for, as `expand[]=card` does. */
export function paymentView(payment: SandboxPayment, withCard: boolean): SandboxPayment {
  const copy = {
    ...payment,
    notes: copyNotes(payment.notes),
    acquirer_data: { ...payment.acquirer_data },
  };
  if (withCard && payment.card) copy.card = { ...payment.card };
  else delete copy.card;
  return copy;
}

function buildCard(): SandboxCard {
  return {
    id: entityId('card'),
    entity: 'card',
    name: 'Test Buyer',
    last4: '1111',
    network: 'Visa',
    type: 'debit',
    issuer: null,
    international: false,
    emi: false,
    sub_type: 'consumer',
    token_iin: null,
  };
}

function acquirerData(method: SandboxPaymentMethod, ok: boolean): Record<string, string | null> {
  if (!ok) return {};
  const digits = String(Math.floor(Math.random() * 1e12)).padStart(12, '0');
  switch (method) {
    case 'card':
      return { auth_code: digits.slice(0, 6) };
    case 'upi':
      return { rrn: digits, upi_transaction_id: null };
    case 'netbanking':
      return { bank_transaction_id: digits.slice(0, 7) };
    case 'wallet':
      return { transaction_id: null };
  }
}
