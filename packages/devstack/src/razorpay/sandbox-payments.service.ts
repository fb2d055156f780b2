import { buildPayment, capturePayment, orderView, paymentView } from './sandbox-entities.ts';
import { controlError } from './sandbox-errors.ts';
import { assertWebhookUrl } from './sandbox-state.ts';
import type { AccountRecord, OrderRecord, SandboxState } from './sandbox-state.ts';
import type { WebhookDispatcher, WebhookEventSpec } from './webhook-dispatcher.ts';
import type {
  CaptureOptions,
  DeliverOptions,
  PayOptions,
  PayResult,
  SandboxPayment,
  SandboxPaymentMethod,
} from './sandbox.types.ts';

const METHODS = new Set<SandboxPaymentMethod>(['card', 'upi', 'netbanking', 'wallet']);
const PAY_STATUSES = new Set(['authorized', 'captured', 'failed']);

/** Simulates buyers paying orders and Razorpay telling the merchant about it. */
export class SandboxPayments {
  private readonly state: SandboxState;
  private readonly dispatcher: WebhookDispatcher;

  constructor(state: SandboxState, dispatcher: WebhookDispatcher) {
    this.state = state;
    this.dispatcher = dispatcher;
  }

  /** A payment attempt on an order; captured sends authorized, captured and order.paid. */
  async pay(orderId: string, input: PayOptions): Promise<PayResult> {
    const options = validatePayOptions(input);
    const record = this.state.orders.get(orderId);
    if (record === undefined) throw controlError(`order ${orderId} does not exist`, 404);
    const { order } = record;
    if (order.status === 'paid') throw controlError(`order ${orderId} is already paid`);
    const amount = options.amount ?? order.amount_due;
    if (amount > order.amount_due || (!record.partialPayment && amount !== order.amount_due)) {
      throw controlError(`amount must be ${order.amount_due} for this order`);
    }
    const account = this.account(record.keyId);

    const payment = buildPayment(order, {
      amount,
      method: options.method ?? 'card',
      email: options.email ?? 'buyer@example.com',
      contact: options.contact ?? '+919000090000',
      failed: options.status === 'failed' ? (options.error ?? {}) : undefined,
    });
    this.state.payments.set(payment.id, { payment, keyId: record.keyId });
    record.paymentIds.push(payment.id);
    order.attempts += 1;
    if (order.status === 'created') order.status = 'attempted';

    const events: WebhookEventSpec[] = [];
    if (options.status === 'failed') {
      events.push(paymentEvent('payment.failed', payment));
    } else {
      events.push(paymentEvent('payment.authorized', payment));
      if (options.status === 'captured') events.push(...this.captureInPlace(record, payment));
    }
    return this.announce(account, record, payment, events, options);
  }

  /** Captures an authorized payment: payment.captured, and order.paid once nothing is due. */
  async capture(paymentId: string, input: CaptureOptions = {}): Promise<PayResult> {
    const options = validateDelivery(input);
    const paymentRecord = this.state.payments.get(paymentId);
    if (paymentRecord === undefined) throw controlError(`payment ${paymentId} does not exist`, 404);
    const { payment } = paymentRecord;
    if (payment.status !== 'authorized') {
      throw controlError(`payment ${paymentId} is ${payment.status}, not authorized`);
    }
    const record = this.state.orders.get(payment.order_id);
    if (record === undefined) throw controlError(`order ${payment.order_id} does not exist`, 404);
    if (record.order.status === 'paid') {
      throw controlError(`order ${payment.order_id} is already paid`);
    }
    const account = this.account(record.keyId);
    const events = this.captureInPlace(record, payment);
    return this.announce(account, record, payment, events, options);
  }

  private account(keyId: string): AccountRecord {
    const account = this.state.accounts.get(keyId);
    if (account === undefined) throw controlError(`account ${keyId} is no longer registered`);
    return account;
  }

  private captureInPlace(record: OrderRecord, payment: SandboxPayment): WebhookEventSpec[] {
    const { order } = record;
    capturePayment(payment);
    order.amount_paid += payment.amount;
    order.amount_due = order.amount - order.amount_paid;
    const events = [paymentEvent('payment.captured', payment)];
    if (order.amount_due === 0) {
      order.status = 'paid';
      events.push({
        event: 'order.paid',
        contains: ['payment', 'order'],
        payload: {
          payment: { entity: paymentView(payment, true) },
          order: { entity: orderView(order) },
        },
      });
    }
    return events;
  }

  private async announce(
    account: AccountRecord,
    record: OrderRecord,
    payment: SandboxPayment,
    events: WebhookEventSpec[],
    options: { deliver?: DeliverOptions; webhookUrl?: string; wait?: boolean },
  ): Promise<PayResult> {
    const url = options.webhookUrl ?? account.webhookUrl;
    const result = (deliveries: PayResult['deliveries']): PayResult => ({
      payment: paymentView(payment, true),
      order: orderView(record.order),
      deliveries,
    });
    // Razorpay sends nothing when no webhook is configured.
    if (url === undefined) return result([]);
    if (account.webhookSecret === undefined) {
      throw controlError(`account ${account.keyId} has no webhookSecret to sign with`);
    }
    const { records, done } = this.dispatcher.dispatch(
      {
        keyId: account.keyId,
        accountId: account.accountId,
        webhookSecret: account.webhookSecret,
        url,
        orderId: record.order.id,
        paymentId: payment.id,
      },
      events,
      options.deliver,
    );
    if (options.wait !== false) {
      await done;
      return result(records.map((delivery) => ({ ...delivery })));
    }
    // Live records: the caller sees them progress (serialised as they are at answer time).
    return result(records);
  }
}

function paymentEvent(event: string, payment: SandboxPayment): WebhookEventSpec {
  // Cloned now: the webhook carries the payment as it was at event time.
  return {
    event,
    contains: ['payment'],
    payload: { payment: { entity: paymentView(payment, true) } },
  };
}

function validatePayOptions(input: unknown): PayOptions {
  if (!isRecord(input)) throw controlError('body must be a JSON object');
  const { status, method, email, contact, amount, error } = input;
  if (typeof status !== 'string' || !PAY_STATUSES.has(status)) {
    throw controlError('status must be authorized, captured or failed');
  }
  if (method !== undefined && !METHODS.has(method as SandboxPaymentMethod)) {
    throw controlError('method must be card, upi, netbanking or wallet');
  }
  for (const [name, value] of [
    ['email', email],
    ['contact', contact],
  ] as const) {
    if (value !== undefined && typeof value !== 'string')
      throw controlError(`${name} must be a string`);
  }
  if (amount !== undefined && !(Number.isInteger(amount) && (amount as number) > 0)) {
    throw controlError('amount must be a positive integer (paise)');
  }
  if (error !== undefined && !isRecord(error)) throw controlError('error must be an object');
  validateDelivery(input);
  return input as unknown as PayOptions;
}

function validateDelivery(input: unknown): CaptureOptions {
  if (!isRecord(input)) throw controlError('body must be a JSON object');
  const { deliver, webhookUrl, wait } = input;
  if (webhookUrl !== undefined) assertWebhookUrl(webhookUrl);
  if (wait !== undefined && typeof wait !== 'boolean') throw controlError('wait must be a boolean');
  if (deliver !== undefined) {
    if (!isRecord(deliver)) throw controlError('deliver must be an object');
    const { times, shuffle, drop, delayMs, retries, retryDelayMs } = deliver;
    if (
      times !== undefined &&
      !(Number.isInteger(times) && (times as number) >= 1 && (times as number) <= 100)
    ) {
      throw controlError('deliver.times must be an integer from 1 to 100');
    }
    for (const [name, value] of [
      ['shuffle', shuffle],
      ['drop', drop],
    ] as const) {
      if (value !== undefined && typeof value !== 'boolean') {
        throw controlError(`deliver.${name} must be a boolean`);
      }
    }
    for (const [name, value] of [
      ['delayMs', delayMs],
      ['retries', retries],
      ['retryDelayMs', retryDelayMs],
    ] as const) {
      if (
        value !== undefined &&
        !(typeof value === 'number' && Number.isFinite(value) && value >= 0)
      ) {
        throw controlError(`deliver.${name} must be a non-negative number`);
      }
    }
  }
  return input;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
