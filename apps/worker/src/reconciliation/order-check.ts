import {
  RazorpayError,
  seenPayments,
  type CaptureOutcome,
  type OrderToCheck,
  type PaymentContext,
  type RazorpayPayment,
  type TransactionRepository,
} from '@storefront/shared';
import { decideOrder } from './order-decision.ts';
import type { RazorpayClients } from './razorpay-clients.ts';
import { createRazorpayGate, type RazorpayGate } from './razorpay-gate.ts';
import {
  reconciliationMetrics,
  type OrderOutcome,
  type ReconciliationMetrics,
} from './reconciliation.metrics.ts';
import type { ReconciliationDeps } from './reconciliation.deps.ts';

/** How one order's check ended; `deferred` means not finished in this run. */
export type CheckResult = OrderOutcome;

/** What the checks of one run share. */
export interface CheckContext {
  deps: ReconciliationDeps;
  metrics: ReconciliationMetrics;
  clients: RazorpayClients;
  gate: RazorpayGate;
  signal: AbortSignal;
  /** Consecutive retryable failures in this run; `stop` once they pass RECONCILE_MAX_RETRIES. */
  streak: { failures: number; stop: boolean };
}

/** A Razorpay call gate other than the reconciliation runs' own (its Redis key and rate). */
export interface GateLane {
  key: string;
  maxCallsPerSecond: number;
}

/**
 * What a run (or a single order's check) starts with: a Razorpay call gate every process shares
 * (the runs' own, RAZORPAY_MAX_CALLS_PER_SECOND, unless `lane` names another), and a failure
 * streak of its own.
 */
export function checkContext(
  deps: ReconciliationDeps,
  signal: AbortSignal,
  lane?: GateLane,
): CheckContext {
  const { config } = deps;
  return {
    deps,
    metrics: reconciliationMetrics(deps.metrics),
    clients: deps.razorpay,
    gate: createRazorpayGate(deps.redis, {
      maxCallsPerSecond: lane?.maxCallsPerSecond ?? config.RAZORPAY_MAX_CALLS_PER_SECOND,
      backoffBaseMs: config.RAZORPAY_BACKOFF_BASE_MS,
      backoffMaxMs: config.RAZORPAY_BACKOFF_MAX_MS,
      ...(lane ? { key: lane.key } : {}),
    }),
    signal,
    streak: { failures: 0, stop: false },
  };
}

/**
 * Checks one order: lists its Razorpay payments, decides (see decideOrder) and applies the
 * decision through the shared payment-outcome path. Never throws: an error is logged, recorded
 * in the transactions log and counted, and the run goes on with the next order.
 */
export async function checkOrder(ctx: CheckContext, order: OrderToCheck): Promise<CheckResult> {
  const { logger, transactions } = ctx.deps;
  try {
    const payments = await fetchPayments(ctx, order);
    const outcome = payments === undefined ? 'deferred' : await applyDecision(ctx, order, payments);
    ctx.metrics.orders.inc({ outcome });
    return outcome;
  } catch (err) {
    logger.error('reconciliation check failed', { orderId: String(order._id), err });
    ctx.metrics.orders.inc({ outcome: 'error' });
    try {
      await recordCheck(transactions, order, { outcome: 'error', error: err });
    } catch (logErr) {
      logger.error('could not record the failed check', {
        orderId: String(order._id),
        err: logErr,
      });
    }
    return 'error';
  }
}

/**
 * The order's payments, or undefined when Razorpay could not be reached in this run: every
 * retryable failure pauses all processes' calls (the gate) and the order is retried after the
 * pause, until the run's failure streak passes RECONCILE_MAX_RETRIES or the pause is longer than
 * RAZORPAY_BACKOFF_MAX_MS. Non-retryable failures (4xx) throw.
 */
async function fetchPayments(
  ctx: CheckContext,
  order: OrderToCheck,
): Promise<RazorpayPayment[] | undefined> {
  const { config, logger, transactions } = ctx.deps;
  const client = await ctx.clients.forAccount(order.gatewayAccount);
  for (;;) {
    if (ctx.streak.stop) return undefined;
    const slot = await ctx.gate.acquire({
      maxWaitMs: config.RAZORPAY_BACKOFF_MAX_MS,
      signal: ctx.signal,
    });
    // Another lane may have ended the run while this one waited for its slot.
    if (!slot || ctx.streak.stop) return undefined;
    try {
      const answer = await client.orders.fetchPayments(order.gatewayOrderId);
      ctx.metrics.razorpayCalls.inc({ status: '200' });
      ctx.streak.failures = 0;
      await ctx.gate.succeeded();
      return answer.items;
    } catch (err) {
      ctx.metrics.razorpayCalls.inc({ status: callStatus(err) });
      if (!(err instanceof RazorpayError) || !err.retryable) {
        // Rejected keys may have been rotated since the client was built.
        if (err instanceof RazorpayError && err.statusCode === 401) {
          ctx.clients.forget(order.gatewayAccount);
        }
        throw err;
      }
      const { failures, pauseMs } = await ctx.gate.failed(err.retryAfterSeconds);
      ctx.streak.failures += 1;
      if (ctx.streak.failures > config.RECONCILE_MAX_RETRIES) ctx.streak.stop = true;
      logger.warn('Razorpay call failed; pausing reconciliation calls in every worker', {
        orderId: String(order._id),
        kind: err.kind,
        statusCode: err.statusCode,
        retryAfterSeconds: err.retryAfterSeconds,
        failures,
        pauseMs: Math.round(pauseMs),
        stoppingRun: ctx.streak.stop,
      });
      await recordCheck(transactions, order, { outcome: 'deferred', error: err });
    }
  }
}

async function applyDecision(
  ctx: CheckContext,
  order: OrderToCheck,
  payments: RazorpayPayment[],
): Promise<OrderOutcome> {
  const { config, logger, transactions } = ctx.deps;
  const decision = decideOrder(payments, order, Date.now(), config.RECONCILE_ORDER_EXPIRY_MS);
  const pctx: PaymentContext = {
    source: 'reconciliation',
    event: 'reconciliation.check',
    payments: seenPayments(payments),
  };
  let outcome: OrderOutcome;
  let paymentId: string | undefined;
  switch (decision.action) {
    case 'capture': {
      // Every captured payment goes through the shared path: the first marks the order paid,
      // any further one is alerted on there as a double charge.
      const results: CaptureOutcome[] = [];
      for (const p of decision.captured) {
        results.push(
          await ctx.deps.payments.applyCaptured(
            { order: order._id, paymentId: p.id, amount: p.amount, currency: p.currency },
            pctx,
          ),
        );
      }
      outcome = captureOutcome(results);
      paymentId = decision.captured[0]?.id;
      break;
    }
    case 'fail':
    case 'expire': {
      const to = decision.action === 'fail' ? 'failed' : 'expired';
      const closed = await ctx.deps.payments.closeUnpaid(order._id, to, pctx);
      outcome = closed ? (to === 'failed' ? 'marked_failed' : 'marked_expired') : 'already_closed';
      break;
    }
    case 'wait':
      outcome = decision.reason;
      if (decision.reason === 'awaiting_capture') {
        logger.warn('payment authorized but not captured; order left pending', {
          orderId: String(order._id),
          payments: pctx.payments,
        });
      }
      break;
  }
  if (outcome.startsWith('marked_') || outcome === 'capture_mismatch') {
    logger.info('reconciliation settled an order', { orderId: String(order._id), outcome });
  }
  await recordCheck(transactions, order, { outcome, payments, paymentId });
  return outcome;
}

function captureOutcome(results: CaptureOutcome[]): OrderOutcome {
  if (results.includes('paid')) return 'marked_paid';
  if (results.includes('already_paid')) return 'already_paid';
  if (results.includes('amount_mismatch')) return 'capture_mismatch';
  return 'error';
}

/** Label of razorpay_calls_total for a failed call. */
function callStatus(err: unknown): string {
  if (err instanceof RazorpayError) {
    return err.kind === 'http' ? String(err.statusCode ?? 'unknown') : err.kind;
  }
  return 'error';
}

/** Appends the transactions-log entry of one order check (`source: 'reconciliation'`). */
export async function recordCheck(
  transactions: TransactionRepository,
  order: OrderToCheck,
  entry: {
    outcome: OrderOutcome;
    payments?: RazorpayPayment[];
    error?: unknown;
    paymentId?: string;
  },
): Promise<void> {
  await transactions.record({
    orderId: order._id,
    gatewayOrderId: order.gatewayOrderId,
    source: 'reconciliation',
    event: 'reconciliation.check',
    paymentId: entry.paymentId,
    payments: entry.payments ? seenPayments(entry.payments) : undefined,
    outcome: entry.outcome,
    error: entry.error === undefined ? undefined : describeError(entry.error),
  });
}

function describeError(err: unknown): string {
  if (err instanceof RazorpayError) {
    return [err.kind, err.statusCode, err.code, err.description]
      .filter((part) => part !== undefined && part !== '')
      .join(' ');
  }
  return err instanceof Error ? err.message : String(err);
}
