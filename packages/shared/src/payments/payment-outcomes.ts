import { Types } from 'mongoose';
import type { Logger } from '../logging/logger.ts';
import type { Order } from '../orders/order.model.ts';
import type { OrderRepository } from '../orders/order.repository.ts';
import type { SeenPayment, TransactionSource } from './transaction.model.ts';
import type { NewTransaction, TransactionRepository } from './transaction.repository.ts';

// The one code path that applies what the gateway says about an order. Webhook processing,
// reconciliation and the buyer's checkout callback all call these, so any of them racing on one
// order make one transition, one `paid` log entry and one delivery.

/** Where a fact about a payment came from, for the transactions log. */
export interface PaymentContext {
  source: TransactionSource;
  event?: string;
  eventId?: string;
  payments?: SeenPayment[];
  /**
   * When the order turns out to be paid already, this caller's own `already_paid` log entry,
   * written in the same batch as the checks that case needs.
   */
  alreadyPaid?: { dedupeKey: string; paymentStatus?: string };
}

/** A captured payment to apply to an order. */
export interface CaptureInput {
  /** The order, or its id. A caller that has just read the order passes it (one read less). */
  order: Order | string | Types.ObjectId;
  paymentId: string;
  amount: number;
  currency: string;
}

export type CaptureOutcome = 'paid' | 'already_paid' | 'amount_mismatch' | 'order_not_found';

function isOrderId(v: Order | string | Types.ObjectId): v is string | Types.ObjectId {
  return typeof v === 'string' || v instanceof Types.ObjectId;
}

/** Applies payment outcomes to orders, logging each in `transactions`. */
export class PaymentOutcomes {
  private readonly deps: {
    orders: OrderRepository;
    transactions: TransactionRepository;
    logger: Logger;
    /**
     * Hands a paid order that is not delivered yet to delivery; must be idempotent per order.
     * `justPaid`: this call made the order paid (the worker then delivers it in place);
     * otherwise an earlier call did and handed it over already, and queueing it (a deterministic
     * job id, so at most one job) is enough. A paid order whose hand-over is lost is still
     * delivered: its delivery is recorded as queued, and the worker's sweeper queues it.
     */
    deliver: (order: Order, justPaid: boolean) => Promise<void>;
  };

  /** Captures being applied in this process, by order id (see applyCaptured). */
  private readonly capturing = new Map<string, Promise<CaptureOutcome>>();

  constructor(deps: PaymentOutcomes['deps']) {
    this.deps = deps;
  }

  /**
   * Applies a captured payment: the order becomes `paid` (from any non-terminal status; a capture
   * wins), one `paid` transaction is logged, and the order is handed to delivery. Repeating the
   * call, or racing it, changes nothing twice. Throws only on infrastructure errors (so the caller
   * retries).
   */
  async applyCaptured(input: CaptureInput, ctx: PaymentContext): Promise<CaptureOutcome> {
    // Captures of one order in this process (payment.captured and order.paid arrive together)
    // run one after the other: the later one reads the order again and finds it paid, instead
    // of racing the first to the same conditional update. Other processes still race safely.
    const key = String(isOrderId(input.order) ? input.order : input.order._id);
    const previous = this.capturing.get(key);
    const run = previous
      ? previous.then(
          () => this.capture({ ...input, order: key }, ctx),
          () => this.capture({ ...input, order: key }, ctx),
        )
      : this.capture(input, ctx);
    this.capturing.set(key, run);
    try {
      return await run;
    } finally {
      if (this.capturing.get(key) === run) this.capturing.delete(key);
    }
  }

  private async capture(input: CaptureInput, ctx: PaymentContext): Promise<CaptureOutcome> {
    const { orders, transactions, logger } = this.deps;
    const order = isOrderId(input.order) ? await orders.findById(input.order) : input.order;
    if (!order) return 'order_not_found';
    const base = {
      orderId: order._id,
      gatewayOrderId: order.gatewayOrderId,
      source: ctx.source,
      event: ctx.event,
      eventId: ctx.eventId,
      paymentId: input.paymentId,
      paymentStatus: 'captured',
      amount: input.amount,
      payments: ctx.payments,
    };
    if (input.amount < order.amount || input.currency !== order.currency) {
      logger.error('captured amount does not match the order; not marking paid', {
        alert: true,
        orderId: String(order._id),
        paymentId: input.paymentId,
        expected: order.amount,
        got: input.amount,
        currency: input.currency,
      });
      await transactions.record({
        ...base,
        outcome: 'amount_mismatch',
        dedupeKey: `mismatch:${input.paymentId}`,
      });
      return 'amount_mismatch';
    }

    // Exactly one `paid` entry per order, whichever path (and whichever retry) gets here.
    const paidEntry = (paymentId: string): NewTransaction => ({
      ...base,
      paymentId,
      outcome: 'paid',
      dedupeKey: `paid:${String(order._id)}`,
    });
    let updated: Order | null = null;
    let current: Order | null = order;
    if (order.status !== 'paid') {
      // The entry is written before the order becomes paid. If we stop between the two writes,
      // the order is still unpaid, which every caller comes back to (webhook retries, each
      // reconciliation run); the other way round, a paid order without its entry would never be
      // revisited.
      await transactions.record(paidEntry(input.paymentId));
      const now = new Date();
      updated = await orders.transition(order._id, 'paid', {
        paymentId: input.paymentId,
        paidAt: now,
        delivery: { status: 'queued', queuedAt: now },
      });
      current = updated ?? (await orders.findById(order._id));
    }
    // (An order read as paid is paid for good: `paid` is terminal, and its payment id was set by
    // the same atomic update. Its delivery status may be stale, which only re-enqueues.)
    if (!current || current.status !== 'paid') {
      // Not reachable through the state machine (paid is reachable from every status but paid);
      // throwing makes the caller retry rather than drop the capture.
      throw new Error(
        `order ${String(order._id)} could not be marked paid from ${current?.status}`,
      );
    }
    if (!updated) {
      // Paid already (or by a racing call). One batch: the `paid` entry (a no-op when it exists,
      // which it does unless the order was paid without it), the second-capture alarm when this
      // is another payment, and the caller's own log entry.
      const entries = [paidEntry(current.paymentId ?? input.paymentId)];
      if (current.paymentId !== input.paymentId) {
        // A second captured payment on an already-paid order: money taken twice, needs a refund.
        logger.error('second captured payment on a paid order', {
          alert: true,
          orderId: String(order._id),
          paidWith: current.paymentId,
          extraPayment: input.paymentId,
        });
        entries.push({
          ...base,
          outcome: 'duplicate_capture',
          dedupeKey: `duplicate:${input.paymentId}`,
        });
      }
      if (ctx.alreadyPaid) entries.push({ ...base, ...ctx.alreadyPaid, outcome: 'already_paid' });
      await transactions.recordMany(entries);
    }
    if (current.delivery?.status !== 'delivered') {
      await this.deps.deliver(current, updated !== null);
    }
    return updated ? 'paid' : 'already_paid';
  }

  /**
   * Records a failed payment attempt: the order keeps its status (the buyer may retry) and
   * remembers the last error, unless a later capture already made it paid. Repeating the call
   * logs the failure once (per event, else per source and payment).
   */
  async recordFailed(
    input: {
      orderId: string | Types.ObjectId;
      paymentId: string;
      amount?: number;
      error: { code?: string; description?: string; reason?: string };
    },
    ctx: PaymentContext,
  ): Promise<'recorded' | 'order_not_found'> {
    const { orders } = this.deps;
    const updated = await orders.recordPaymentError(input.orderId, {
      ...input.error,
      paymentId: input.paymentId,
    });
    // Null when the order is paid (its error is left alone) or missing.
    const existing = updated ?? (await orders.findById(input.orderId));
    if (!existing) return 'order_not_found';
    await this.deps.transactions.record({
      orderId: existing._id,
      gatewayOrderId: existing.gatewayOrderId,
      source: ctx.source,
      event: ctx.event,
      eventId: ctx.eventId,
      paymentId: input.paymentId,
      paymentStatus: 'failed',
      amount: input.amount,
      payments: ctx.payments,
      outcome: 'payment_failed',
      error: [input.error.code, input.error.reason, input.error.description]
        .filter(Boolean)
        .join(': '),
      // One entry per event, or per payment for a caller without events (the checkout
      // callback), so a repeated call logs the failure once.
      dedupeKey: ctx.eventId ? `event:${ctx.eventId}` : `failed:${ctx.source}:${input.paymentId}`,
    });
    return 'recorded';
  }

  /**
   * Closes an order that will not be paid (`failed`: every attempt failed; `expired`: no payment
   * within the expiry window). A no-op when a capture got there first.
   */
  async closeUnpaid(
    orderId: string | Types.ObjectId,
    to: 'failed' | 'expired',
    ctx: PaymentContext,
  ): Promise<boolean> {
    const updated = await this.deps.orders.transition(orderId, to);
    if (updated) {
      await this.deps.transactions.record({
        orderId: updated._id,
        gatewayOrderId: updated.gatewayOrderId,
        source: ctx.source,
        event: ctx.event,
        payments: ctx.payments,
        outcome: to,
        dedupeKey: `${to}:${String(updated._id)}`,
      });
    }
    return updated !== null;
  }
}
