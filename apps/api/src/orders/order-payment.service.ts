import {
  AppError,
  awaitsVerdict,
  BadGatewayError,
  FieldDecryptionError,
  GatewayTimeoutError,
  NotFoundError,
  paymentError,
  RazorpayError,
  seenPayments,
  throttledLog,
  verifyCheckoutSignature,
  withTimeout,
  type Logger,
  type Order,
  type OrderRepository,
  type PaymentContext,
  type PaymentOutcomes,
  type RazorpayClient,
  type RazorpayCredentials,
  type RazorpayCredentialStore,
  type RazorpayPayment,
  type TransactionRepository,
} from '@storefront/shared';
import type { CheckoutCallbackMetrics, CheckoutCallbackOutcome } from './order-payment.metrics.ts';
import type { OrderPaymentInput } from './order-payment.schemas.ts';
import type { OrderStatusService, OrderStatusView } from './order-status.service.ts';

export interface OrderPaymentDeps {
  orderStatus: Pick<OrderStatusService, 'authorize' | 'view'>;
  orders: OrderRepository;
  credentials: RazorpayCredentialStore;
  /** A Razorpay client for one account's keys. */
  razorpayFor: (creds: RazorpayCredentials) => RazorpayClient;
  payments: PaymentOutcomes;
  transactions: TransactionRepository;
  metrics: CheckoutCallbackMetrics;
  logger: Logger;
  /** When and how the check is handed to the worker; absent: the callback always checks. */
  deferral?: CallbackDeferral;
}

/**
 * Handing a callback's check to the worker. In a creator drop the API's one event loop is the
 * bottleneck, and a callback that asks Razorpay and applies the capture itself repeats what the
 * payment's webhooks are about to do anyway: a busy API verifies the signature, schedules a check
 * of the order a few seconds later (skipped when a webhook has settled it by then) and answers
 * with the order as it stands. The buyer's order page polls until it is paid.
 */
export interface CallbackDeferral {
  /** Whether a callback arriving now should be deferred (the policy: busy, always, never). */
  wanted(): boolean;
  /** Schedules the worker's check of the order; rejects when the queue cannot take it. */
  schedule(orderId: string, paymentId: string): Promise<void>;
}

/**
 * The deferral CHECKOUT_CALLBACK_DEFER asks for: `busy` defers while the event loop's recent
 * utilization is at least `busyElu`; `never` gives none (every callback checks itself).
 */
export function callbackDeferral(opts: {
  mode: 'busy' | 'always' | 'never';
  busyElu: number;
  loop: { utilization(): number };
  schedule: CallbackDeferral['schedule'];
}): CallbackDeferral | undefined {
  const { mode, busyElu, loop, schedule } = opts;
  if (mode === 'never') return undefined;
  return {
    wanted: mode === 'always' ? () => true : () => loop.utilization() >= busyElu,
    schedule,
  };
}

const EVENT = 'checkout.callback';
/** How long scheduling a deferred check may take before the callback checks for itself. */
const SCHEDULE_BUDGET_MS = 1_000;

/**
 * The buyer's Checkout callback: the third path to `paid`, beside webhooks and reconciliation.
 * The handler's signature only proves the payment was made for this order; the order changes
 * only on what Razorpay says about the payment now (fetched with the order's account), applied
 * through the same PaymentOutcomes as the other two paths, so a repeat or a race with a webhook
 * changes nothing twice.
 */
export class OrderPaymentService {
  private readonly deps: OrderPaymentDeps;
  private readonly warnRejected = throttledLog(5_000);
  private readonly warnSchedule = throttledLog(5_000);

  constructor(deps: OrderPaymentDeps) {
    this.deps = deps;
  }

  /**
   * Checks and applies the handler payload for order `orderId` (with its access token), or, on a
   * busy API, checks it and leaves the rest to the worker (CallbackDeferral), and returns the
   * order as the buyer sees it. Throws NotFoundError (unknown order, wrong or expired
   * token), 400 ORDER_MISMATCH / INVALID_SIGNATURE (nothing changed), 503 when the account that
   * created the order cannot be used, 502/504 when Razorpay cannot be asked (order unchanged).
   */
  async confirm(
    orderId: string,
    token: string | undefined,
    input: OrderPaymentInput,
  ): Promise<OrderStatusView> {
    const order = await this.deps.orderStatus.authorize(orderId, token);
    const result: { outcome: CheckoutCallbackOutcome } = { outcome: 'error' };
    try {
      const current = await this.apply(order, input, result);
      return await this.deps.orderStatus.view(current);
    } finally {
      this.deps.metrics.count(result.outcome);
    }
  }

  private async apply(
    order: Order,
    input: OrderPaymentInput,
    result: { outcome: CheckoutCallbackOutcome },
  ): Promise<Order> {
    const orderId = String(order._id);
    const paymentId = input.razorpay_payment_id;
    if (!order.gatewayOrderId || order.gatewayOrderId !== input.razorpay_order_id) {
      result.outcome = 'mismatch';
      this.rejected('checkout callback for another gateway order', orderId);
      throw orderMismatch();
    }
    const creds = await this.credentials(order);
    if (
      !verifyCheckoutSignature(
        order.gatewayOrderId,
        paymentId,
        input.razorpay_signature,
        creds.keySecret,
      )
    ) {
      result.outcome = 'bad_signature';
      this.rejected('checkout callback with an invalid signature', orderId);
      throw new AppError('INVALID_SIGNATURE', 400, 'The payment signature is not valid');
    }
    // A repeat of the callback that made the order paid: nothing to ask Razorpay.
    if (order.status === 'paid' && order.paymentId === paymentId) {
      result.outcome = 'already_paid';
      return order;
    }
    if (await this.deferred(order, paymentId)) {
      result.outcome = 'deferred';
      return order;
    }

    const payment = await this.fetchPayment(order, creds, paymentId, result);
    if (payment.order_id !== order.gatewayOrderId || payment.id !== paymentId) {
      result.outcome = 'mismatch';
      this.deps.logger.warn('signed checkout callback names a payment of another order', {
        orderId,
        paymentId,
        paymentOrderId: payment.order_id,
      });
      throw orderMismatch();
    }
    result.outcome = await this.applyPayment(order, payment);
    return (await this.deps.orders.findById(order._id)) ?? order;
  }

  /**
   * Whether the check of an order awaiting its payment was handed to the worker (see
   * CallbackDeferral). Orders in any other state, and any failure to schedule, are checked here.
   */
  private async deferred(order: Order, paymentId: string): Promise<boolean> {
    const { deferral } = this.deps;
    if (!deferral || !awaitsVerdict(order.status)) return false;
    if (!deferral.wanted()) return false;
    const orderId = String(order._id);
    try {
      await withTimeout(deferral.schedule(orderId, paymentId), SCHEDULE_BUDGET_MS);
      return true;
    } catch (err) {
      // A check scheduled after the budget ran out finds the order settled by this call.
      this.warnSchedule((suppressed) =>
        this.deps.logger.warn('order check not scheduled; the callback checks itself', {
          orderId,
          suppressed,
          err,
        }),
      );
      return false;
    }
  }

  /** Applies the payment as Razorpay reports it; only `captured` can make the order paid. */
  private async applyPayment(
    order: Order,
    payment: RazorpayPayment,
  ): Promise<CheckoutCallbackOutcome> {
    const { payments, logger } = this.deps;
    const orderId = String(order._id);
    const ctx: PaymentContext = {
      source: 'checkout',
      event: EVENT,
      payments: seenPayments([payment]),
    };
    switch (payment.status) {
      case 'captured':
        return this.applyCapture(order, payment, ctx);
      case 'failed': {
        const recorded = await payments.recordFailed(
          {
            orderId: order._id,
            paymentId: payment.id,
            amount: payment.amount,
            error: paymentError(payment),
          },
          ctx,
        );
        if (recorded === 'order_not_found') throw new NotFoundError('Order not found');
        return 'failed';
      }
      case 'authorized':
        // Money is held but not captured: Razorpay captures it (webhook) or refunds it later;
        // reconciliation keeps checking. Never paid on an authorization.
        await this.record(order, payment, 'authorized');
        return 'pending';
      case 'refunded':
        // Captured and refunded before the callback came: reconciliation settles the order.
        logger.warn('checkout callback for a refunded payment; order left as it is', {
          orderId,
          paymentId: payment.id,
          status: order.status,
        });
        return 'pending';
      case 'created':
      default:
        // An attempt in progress (or a status this code does not know): webhooks and
        // reconciliation will settle it.
        return 'pending';
    }
  }

  private async applyCapture(
    order: Order,
    payment: RazorpayPayment,
    ctx: PaymentContext,
  ): Promise<CheckoutCallbackOutcome> {
    const outcome = await this.deps.payments.applyCaptured(
      { order, paymentId: payment.id, amount: payment.amount, currency: payment.currency },
      ctx,
    );
    switch (outcome) {
      case 'paid':
        this.deps.logger.info('checkout callback marked the order paid', {
          orderId: String(order._id),
          paymentId: payment.id,
        });
        return 'paid';
      case 'already_paid':
        // The `paid` entry is whichever path's got there first; this call is logged too.
        await this.record(order, payment, 'already_paid');
        return 'already_paid';
      case 'amount_mismatch':
        // Alerted and logged by PaymentOutcomes; the order stays unpaid for an operator.
        return 'amount_mismatch';
      case 'order_not_found':
        throw new NotFoundError('Order not found');
    }
  }

  /** The credentials of the account that created the order, or 503 when they cannot be used. */
  private async credentials(order: Order): Promise<RazorpayCredentials> {
    const orderId = String(order._id);
    const unavailable = () =>
      new AppError(
        'PAYMENT_ACCOUNT_UNAVAILABLE',
        503,
        "The order's payment account cannot be used right now; the payment will still be applied once Razorpay confirms it",
      );
    let creds: RazorpayCredentials;
    try {
      creds = await this.deps.credentials.resolve(order.gatewayAccount);
    } catch (err) {
      if (!(err instanceof FieldDecryptionError)) throw err;
      // Fail closed: never verify with whatever a broken ciphertext would give.
      this.deps.logger.error('creator razorpay credentials cannot be decrypted', {
        alert: true,
        orderId,
        account: order.gatewayAccount,
        err,
      });
      throw unavailable();
    }
    if (creds.account !== order.gatewayAccount) {
      // The creator disconnected the account the order was created on: its secret is gone.
      this.deps.logger.error('the account that created the order is no longer connected', {
        orderId,
        account: order.gatewayAccount,
      });
      throw unavailable();
    }
    return creds;
  }

  private async fetchPayment(
    order: Order,
    creds: RazorpayCredentials,
    paymentId: string,
    result: { outcome: CheckoutCallbackOutcome },
  ): Promise<RazorpayPayment> {
    try {
      return await this.deps.razorpayFor(creds).payments.fetch(paymentId);
    } catch (err) {
      if (!(err instanceof RazorpayError)) throw err;
      result.outcome = 'gateway_error';
      await this.deps.transactions.record({
        orderId: order._id,
        gatewayOrderId: order.gatewayOrderId,
        source: 'checkout',
        event: EVENT,
        paymentId,
        outcome: 'gateway_error',
        error: [err.kind, err.statusCode, err.code, err.description]
          .filter((part) => part !== undefined && part !== '')
          .join(' '),
      });
      const later = 'the payment will still be applied once Razorpay confirms it';
      if (err.kind === 'timeout') {
        throw new GatewayTimeoutError(`Razorpay did not answer in time; ${later}`, err);
      }
      throw new BadGatewayError(
        `Razorpay could not be asked about the payment; ${later}`,
        {
          gateway: {
            ...(err.statusCode === undefined ? {} : { statusCode: err.statusCode }),
            code: err.code ?? null,
          },
        },
        err,
      );
    }
  }

  /** A log entry of this callback, once per payment and outcome however often it is repeated. */
  private async record(order: Order, payment: RazorpayPayment, outcome: string): Promise<void> {
    await this.deps.transactions.record({
      orderId: order._id,
      gatewayOrderId: order.gatewayOrderId,
      source: 'checkout',
      event: EVENT,
      paymentId: payment.id,
      paymentStatus: payment.status,
      amount: payment.amount,
      payments: seenPayments([payment]),
      outcome,
      dedupeKey: `checkout:${outcome}:${payment.id}`,
    });
  }

  private rejected(message: string, orderId: string): void {
    // Throttled: a client hammering the endpoint must not flood the logs (the metric counts all).
    this.warnRejected((suppressed) => this.deps.logger.warn(message, { orderId, suppressed }));
  }
}

function orderMismatch(): AppError {
  return new AppError('ORDER_MISMATCH', 400, 'The payment is not for this order');
}
