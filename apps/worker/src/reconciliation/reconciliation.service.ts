import { acquireRunLock, type OrderToCheck } from '@storefront/shared';
import { checkContext, checkOrder, type CheckResult } from './order-check.ts';
import { loadCursor, saveCursor } from './reconciliation.repository.ts';
import {
  reconciliationMetrics,
  type OrderOutcome,
  type RunResult,
} from './reconciliation.metrics.ts';
import type { ReconciliationDeps } from './reconciliation.deps.ts';

/** Options of one run. */
export interface RunOptions {
  /** Aborting stops the run between orders (and interrupts backoff waits); e.g. at shutdown. */
  signal?: AbortSignal;
}

/** What one run did. */
export interface RunSummary {
  result: RunResult;
  /** Orders whose check finished (any outcome but `deferred`). */
  checked: number;
  /** Orders picked for this run that it did not finish; the next run takes them. */
  leftForNextRun: number;
  outcomes: Partial<Record<OrderOutcome, number>>;
  /** Stale `created` orders (no gateway order) closed as expired. */
  expiredCreated: number;
  startedAt: Date;
  finishedAt: Date;
}

const LOCK_KEY = 'reconciliation:lock';

/**
 * One reconciliation run: under a Redis lock (so runs never overlap, whichever process starts
 * them), expires stale `created` orders, then checks the next batch of unpaid orders against
 * Razorpay's payments (oldest first, continuing where the previous run stopped) and applies
 * what it finds through the shared payment-outcome path. Throws only when MongoDB or Redis fail
 * outside a single order; a failing order never stops the run.
 */
export async function runReconciliation(
  deps: ReconciliationDeps,
  opts: RunOptions = {},
): Promise<RunSummary> {
  const { config, logger } = deps;
  const metrics = reconciliationMetrics(deps.metrics);
  const now = new Date();
  const summary: RunSummary = {
    result: 'skipped',
    checked: 0,
    leftForNextRun: 0,
    outcomes: {},
    expiredCreated: 0,
    startedAt: now,
    finishedAt: now,
  };

  const lock = await acquireRunLock(deps.redis, LOCK_KEY, config.RECONCILE_LOCK_TTL_MS, logger);
  if (!lock) {
    metrics.runs.inc({ result: 'skipped' });
    logger.debug('reconciliation run skipped: another run holds the lock');
    return summary;
  }
  // The run's times are the lock's: no two runs' [startedAt, finishedAt] intervals overlap.
  summary.startedAt = new Date();
  const signal = opts.signal ? AbortSignal.any([lock.signal, opts.signal]) : lock.signal;
  try {
    summary.expiredCreated = await expireStaleCreated(deps, signal);
    if (summary.expiredCreated > 0) {
      metrics.orders.inc({ outcome: 'marked_expired' }, summary.expiredCreated);
    }
    const results = await checkBatch(deps, signal, summary);
    summary.checked = results.filter((r) => r !== 'deferred').length;
    summary.leftForNextRun = results.filter((r) => r === 'deferred').length;
    summary.result = summary.leftForNextRun > 0 || signal.aborted ? 'interrupted' : 'completed';
    const oldest = await deps.orders.oldestPendingCreatedAt();
    metrics.oldestPendingAge.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
  } catch (err) {
    summary.result = 'error';
    logger.error('reconciliation run failed', { err });
    throw err;
  } finally {
    summary.finishedAt = new Date();
    await lock.release();
    metrics.runs.inc({ result: summary.result });
    if (summary.result === 'completed')
      metrics.lastSuccess.set(summary.finishedAt.getTime() / 1000);
    logger.info('reconciliation run finished', {
      result: summary.result,
      checked: summary.checked,
      leftForNextRun: summary.leftForNextRun,
      outcomes: summary.outcomes,
      expiredCreated: summary.expiredCreated,
      startedAt: summary.startedAt.toISOString(),
      finishedAt: summary.finishedAt.toISOString(),
      durationMs: summary.finishedAt.getTime() - summary.startedAt.getTime(),
    });
  }
  return summary;
}

async function expireStaleCreated(deps: ReconciliationDeps, signal: AbortSignal): Promise<number> {
  const ids = await deps.orders.findStaleCreatedIds({
    createdBefore: new Date(Date.now() - deps.config.RECONCILE_ORDER_EXPIRY_MS),
    limit: deps.config.RECONCILE_BATCH_SIZE,
  });
  let expired = 0;
  for (const id of ids) {
    if (signal.aborted) break;
    const closed = await deps.payments.closeUnpaid(id, 'expired', {
      source: 'reconciliation',
      event: 'reconciliation.expire_created',
    });
    if (closed) expired += 1;
  }
  if (expired > 0) deps.logger.info('expired orders that never got a gateway order', { expired });
  return expired;
}

/**
 * Checks the next batch with RECONCILE_CONCURRENCY parallel lanes and saves where the scan
 * stands: after the last order of the finished prefix, or back at the start once the batch
 * reached the end of the unpaid orders.
 */
async function checkBatch(
  deps: ReconciliationDeps,
  signal: AbortSignal,
  summary: RunSummary,
): Promise<CheckResult[]> {
  const { config } = deps;
  const cursor = await loadCursor(deps.redis);
  const orders = await deps.orders.findToCheck({
    createdBefore: new Date(Date.now() - config.RECONCILE_MIN_AGE_MS),
    after: cursor,
    limit: config.RECONCILE_BATCH_SIZE,
  });
  const ctx = checkContext(deps, signal);

  const results: CheckResult[] = orders.map(() => 'deferred');
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < orders.length && !signal.aborted && !ctx.streak.stop) {
      const i = next;
      next += 1;
      const order = orders[i] as OrderToCheck;
      const result = await checkOrder(ctx, order);
      results[i] = result;
      summary.outcomes[result] = (summary.outcomes[result] ?? 0) + 1;
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(config.RECONCILE_CONCURRENCY, orders.length) }, lane),
  );

  const finished = results.findIndex((r) => r === 'deferred');
  const prefix = finished === -1 ? orders.length : finished;
  if (prefix === orders.length && orders.length < config.RECONCILE_BATCH_SIZE) {
    await saveCursor(deps.redis, undefined);
  } else if (prefix > 0) {
    const last = orders[prefix - 1] as OrderToCheck;
    await saveCursor(deps.redis, { createdAt: last.createdAt, id: String(last._id) });
  }
  return results;
}
