import {
  isObjectIdString,
  paymentError,
  seenPayments,
  type Logger,
  type Order,
  type OrderRepository,
  type PaymentContext,
  type PaymentOutcomes,
  type TransactionRepository,
  type WebhookDlqRepository,
  type WebhookEvent,
  type WebhookEventRepository,
} from '@storefront/shared';
import { PermanentWebhookError, RetryableWebhookError } from './webhook-errors.ts';
import { ourOrderIdHints, parsePaymentEvent, type PaymentEvent } from './webhook-payload.ts';

/** What processing one inbox event did. */
export type WebhookOutcome =
  | 'paid'
  | 'already_paid'
  | 'payment_failed'
  | 'authorized'
  | 'ignored'
  /** The inbox event was already finished (a duplicate job, or the sweeper re-queued it). */
  | 'duplicate'
  /** No inbox event with this id. */
  | 'missing';

/**
 * Applies inbox events to orders through the shared payment-outcome path. Every step is
 * idempotent (state machine, dedupe keys), so running an event twice, or two events about one
 * payment in any order, changes nothing twice.
 */
export class WebhookService {
  private readonly deps: {
    events: WebhookEventRepository;
    dlq: WebhookDlqRepository;
    orders: OrderRepository;
    transactions: TransactionRepository;
    payments: PaymentOutcomes;
    logger: Logger;
  };

  constructor(deps: WebhookService['deps']) {
    this.deps = deps;
  }

  /** Processes inbox event `eventId`; throws to have it retried (see webhook-errors.ts). */
  async process(eventId: string): Promise<{ event: string; outcome: WebhookOutcome }> {
    const ev = await this.deps.events.findById(eventId);
    if (!ev) {
      this.deps.logger.warn('webhook job for an event not in the inbox', { eventId });
      // A pending DLQ entry would be re-queued by the sweeper forever; replay recreates the event.
      await this.deps.dlq.markDead(eventId, 'inbox event missing');
      return { event: 'unknown', outcome: 'missing' };
    }
    if (ev.status === 'processed' || ev.status === 'ignored') {
      // A DLQ entry whose removal was lost would otherwise be re-queued by the sweeper forever.
      await this.deps.dlq.remove(eventId);
      return { event: ev.event, outcome: 'duplicate' };
    }
    if (ev.status === 'dead') return { event: ev.event, outcome: 'duplicate' };

    const outcome = await this.apply(ev);
    // Only an event that failed before (inbox `failed`; a replay sets that too) has a DLQ entry.
    // DLQ first: if we stop in between, the inbox still says unfinished and the rerun is harmless.
    if (ev.status === 'failed') await this.deps.dlq.remove(eventId);
    await this.deps.events.markFinished(eventId, outcome === 'ignored' ? 'ignored' : 'processed');
    return { event: ev.event, outcome };
  }

  private async apply(ev: WebhookEvent): Promise<WebhookOutcome> {
    switch (ev.event) {
      case 'payment.captured':
      case 'order.paid':
        return this.applyCapture(ev, parsePaymentEvent(ev.payload));
      case 'payment.failed':
        return this.applyFailure(ev, parsePaymentEvent(ev.payload));
      case 'payment.authorized':
        return this.applyAuthorization(ev, parsePaymentEvent(ev.payload));
      default:
        // Events we do not subscribe to (refunds, disputes…): kept in the inbox, nothing to do.
        return 'ignored';
    }
  }

  private context(ev: WebhookEvent, pe: PaymentEvent): PaymentContext {
    const { payment } = pe;
    return {
      source: 'webhook',
      event: ev.event,
      eventId: ev._id,
      payments: seenPayments([payment]),
    };
  }

  private async applyCapture(ev: WebhookEvent, pe: PaymentEvent): Promise<WebhookOutcome> {
    const order = await this.requireOrder(ev, pe);
    const { payment } = pe;
    const result = await this.deps.payments.applyCaptured(
      { order, paymentId: payment.id, amount: payment.amount, currency: payment.currency },
      // On an order paid already (by whichever event got there first), this event is logged too.
      {
        ...this.context(ev, pe),
        alreadyPaid: { dedupeKey: `event:${ev._id}`, paymentStatus: payment.status },
      },
    );
    switch (result) {
      case 'paid':
      case 'already_paid':
        return result;
      case 'amount_mismatch':
        throw new PermanentWebhookError(
          `captured ${payment.amount} ${payment.currency} does not match order ${String(order._id)} (${order.amount} ${order.currency})`,
        );
      case 'order_not_found':
        throw new RetryableWebhookError(
          `order ${String(order._id)} disappeared while applying the capture`,
        );
    }
  }

  private async applyFailure(ev: WebhookEvent, pe: PaymentEvent): Promise<WebhookOutcome> {
    const order = await this.requireOrder(ev, pe);
    const { payment } = pe;
    const result = await this.deps.payments.recordFailed(
      {
        orderId: order._id,
        paymentId: payment.id,
        amount: payment.amount,
        error: paymentError(payment),
      },
      this.context(ev, pe),
    );
    if (result === 'order_not_found') {
      throw new RetryableWebhookError(
        `order ${String(order._id)} disappeared while recording the failure`,
      );
    }
    return 'payment_failed';
  }

  /** An authorization changes no order; it is logged (with our order when we can find it). */
  private async applyAuthorization(ev: WebhookEvent, pe: PaymentEvent): Promise<WebhookOutcome> {
    const order = await this.findOrder(pe);
    if (order) this.checkAccount(ev, order);
    const { payment } = pe;
    await this.deps.transactions.record({
      orderId: order?._id,
      gatewayOrderId: order?.gatewayOrderId ?? payment.order_id ?? undefined,
      source: 'webhook',
      event: ev.event,
      eventId: ev._id,
      paymentId: payment.id,
      paymentStatus: payment.status,
      amount: payment.amount,
      payments: this.context(ev, pe).payments,
      outcome: 'authorized',
      dedupeKey: `event:${ev._id}`,
    });
    return 'authorized';
  }

  /**
   * Our order for the event, or a retryable error: the order write may not have landed yet.
   * After the retry schedule the event is dead and an operator is alerted.
   */
  private async requireOrder(ev: WebhookEvent, pe: PaymentEvent): Promise<Order> {
    const order = await this.findOrder(pe);
    if (!order) {
      throw new RetryableWebhookError(
        `no order for gateway order ${pe.payment.order_id ?? '(none)'} (payment ${pe.payment.id})`,
      );
    }
    this.checkAccount(ev, order);
    return order;
  }

  private async findOrder(pe: PaymentEvent): Promise<Order | null> {
    const gatewayOrderId = pe.payment.order_id ?? pe.order?.id;
    if (gatewayOrderId) {
      const order = await this.deps.orders.findByGatewayOrderId(gatewayOrderId);
      if (order) return order;
    }
    for (const hint of ourOrderIdHints(pe)) {
      if (!isObjectIdString(hint)) continue;
      const order = await this.deps.orders.findById(hint);
      if (!order) continue;
      if (order.gatewayOrderId && gatewayOrderId && order.gatewayOrderId !== gatewayOrderId) {
        // Checkout ran twice and the buyer paid the older gateway order: the money is real.
        this.deps.logger.warn('payment for a gateway order other than the one on our order', {
          orderId: String(order._id),
          orderGatewayId: order.gatewayOrderId,
          paidGatewayId: gatewayOrderId,
        });
      }
      return order;
    }
    return null;
  }

  /**
   * An event signed with one creator's webhook secret may only touch that creator's orders;
   * otherwise any creator could mark anyone's order paid.
   */
  private checkAccount(ev: WebhookEvent, order: Order): void {
    if (order.gatewayAccount !== ev.account) {
      throw new PermanentWebhookError(
        `event from account ${ev.account} refers to order ${String(order._id)} of account ${order.gatewayAccount}`,
      );
    }
  }
}
