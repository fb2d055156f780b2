import { createHmac } from 'node:crypto';
import { orderView } from '../sandbox-entities.ts';
import { controlError, invalidId } from '../sandbox-errors.ts';
import { isEntityId } from '../sandbox-ids.ts';
import type { SandboxPayments } from '../sandbox-payments.service.ts';
import type { AccountRecord, SandboxState } from '../sandbox-state.ts';
import type { DeliverOptions, SandboxOrder } from '../sandbox.types.ts';
import type {
  CheckoutFailure,
  CheckoutOutcome,
  CheckoutPayRequest,
  CheckoutSuccess,
} from './checkout.types.ts';

const OUTCOMES = new Set<CheckoutOutcome>(['captured', 'authorized', 'failed']);

/** An order a checkout opened with a given key id may pay, and the account behind it. */
export interface PayableOrder {
  order: SandboxOrder;
  account: AccountRecord;
}

/** The server side of the Standard Checkout stand-in: which order a modal pays, and paying it. */
export class SandboxCheckout {
  private readonly state: SandboxState;
  private readonly payments: SandboxPayments;
  private readonly deliver: DeliverOptions | undefined;

  /** `deliver`: how the webhooks of every checkout payment go out (default: once each, in order). */
  constructor(state: SandboxState, payments: SandboxPayments, deliver?: DeliverOptions) {
    this.state = state;
    this.payments = payments;
    this.deliver = deliver;
  }

  /**
   * The order, if a checkout opened with `keyId` may pay it now; otherwise a 4xx naming why
   * (unknown key id, unknown order, an order of another key id, an order already paid).
   */
  payableOrder(orderId: string, keyId: string): PayableOrder {
    if (keyId === '') throw controlError('key_id is required (the key id passed as `key`)');
    if (orderId === '') throw controlError('order_id is required');
    const account = this.state.accounts.get(keyId);
    if (account === undefined) {
      throw controlError(`key_id ${keyId} is not an account of this sandbox`, 401);
    }
    if (!isEntityId(orderId, 'order')) throw invalidId(orderId);
    const record = this.state.orders.get(orderId);
    if (record === undefined) throw controlError(`order ${orderId} does not exist`, 404);
    // Key ids are not secret; naming the owner saves a tester the search.
    if (record.keyId !== keyId) {
      throw controlError(
        `order ${orderId} was created with key_id ${record.keyId}, not ${keyId}`,
        400,
      );
    }
    if (record.order.status === 'paid') throw controlError(`order ${orderId} is already paid`);
    return { order: orderView(record.order), account };
  }

  /**
   * One attempt through the existing payment simulation (same webhooks as
   * `POST /_sandbox/orders/:id/pay`, delivered in the background as Razorpay does): the handler
   * payload on success, the `payment.failed` payload on a failed attempt.
   */
  async pay(input: unknown): Promise<CheckoutSuccess | CheckoutFailure> {
    const request = validatePayRequest(input);
    const { account } = this.payableOrder(request.order_id, request.key_id);
    const outcome = request.outcome ?? 'captured';
    const { payment } = await this.payments.pay(request.order_id, {
      status: outcome,
      ...(request.email === undefined ? {} : { email: request.email }),
      ...(request.contact === undefined ? {} : { contact: request.contact }),
      ...(this.deliver === undefined ? {} : { deliver: this.deliver }),
      wait: false,
    });
    if (payment.status === 'failed') {
      return {
        error: {
          code: payment.error_code ?? 'BAD_REQUEST_ERROR',
          description: payment.error_description ?? 'Payment failed',
          source: payment.error_source ?? 'NA',
          step: payment.error_step ?? 'NA',
          reason: payment.error_reason ?? 'NA',
          metadata: { order_id: payment.order_id, payment_id: payment.id },
        },
      };
    }
    return {
      razorpay_payment_id: payment.id,
      razorpay_order_id: payment.order_id,
      razorpay_signature: checkoutSignature(payment.order_id, payment.id, account.keySecret),
    };
  }
}

/**
 * Standard Checkout's `razorpay_signature`: hex HMAC-SHA256 of `orderId|paymentId` keyed with
 * the key secret of the account that created the order.
 */
export function checkoutSignature(orderId: string, paymentId: string, keySecret: string): string {
  return createHmac('sha256', keySecret).update(`${orderId}|${paymentId}`).digest('hex');
}

function validatePayRequest(input: unknown): CheckoutPayRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw controlError('body must be a JSON object');
  }
  const { order_id, key_id, outcome, email, contact } = input as Record<string, unknown>;
  for (const [name, value] of [
    ['order_id', order_id],
    ['key_id', key_id],
  ] as const) {
    if (typeof value !== 'string' || value === '') throw controlError(`${name} is required`);
  }
  if (outcome !== undefined && !OUTCOMES.has(outcome as CheckoutOutcome)) {
    throw controlError('outcome must be captured, authorized or failed');
  }
  for (const [name, value] of [
    ['email', email],
    ['contact', contact],
  ] as const) {
    if (value !== undefined && typeof value !== 'string') {
      throw controlError(`${name} must be a string`);
    }
  }
  return input as CheckoutPayRequest;
}
