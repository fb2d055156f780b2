import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import type { RazorpaySandbox } from '@storefront/devstack';
import { orderModel, webhookDlqModel, webhookEventModel } from '@storefront/shared';
import type { OrderRecord } from './traffic.ts';

/** What is still moving; all zero means quiet. */
export interface Backlog {
  /** Webhook copies the sandbox has yet to deliver or give up on. */
  webhooksInFlight: number;
  /** Inbox events still `received` or `failed` (poisoned ones until they are dead). */
  inboxUnfinished: number;
  dlqPending: number;
  /** Captured at the gateway but not yet paid here. */
  capturedNotPaid: number;
  /** Paid but not yet delivered. */
  undelivered: number;
}

const POLL_MS = 1_000;
/** With a large backlog there is no point in reading it every second (it loads MongoDB). */
const SLOW_POLL_MS = 5_000;
const LARGE_BACKLOG = 1_000;

/** Reads the backlog once (the orchestrator's connection: short timeouts, no failpoints). */
export async function readBacklog(
  mongo: Connection,
  sandbox: RazorpaySandbox,
  records: OrderRecord[],
): Promise<Backlog> {
  const captured = records.filter(
    (r) => r.gatewayOrderId && sandbox.getOrder(r.gatewayOrderId)?.status === 'paid',
  ).length;
  // Counting all paid orders keeps this cheap; an order paid without a capture would hide a lost
  // one here, but not from the final checks, which match orders one by one.
  const [inboxUnfinished, dlqPending, paid, undelivered] = await Promise.all([
    webhookEventModel(mongo)
      .countDocuments({ status: { $in: ['received', 'failed'] } })
      .exec(),
    webhookDlqModel(mongo).countDocuments({ status: 'pending' }).exec(),
    orderModel(mongo).countDocuments({ status: 'paid' }).exec(),
    orderModel(mongo)
      .countDocuments({ status: 'paid', 'delivery.status': { $ne: 'delivered' } })
      .exec(),
  ]);
  return {
    webhooksInFlight: sandbox.deliveries().filter((d) => d.status === 'pending').length,
    inboxUnfinished,
    dlqPending,
    capturedNotPaid: Math.max(0, captured - paid),
    undelivered,
  };
}

/**
 * Polls until the backlog is empty twice in a row or `timeoutMs` passes; returns how long it took
 * to become empty and the last backlog (non-empty on timeout).
 */
export async function waitForQuiet(opts: {
  mongo: Connection;
  sandbox: RazorpaySandbox;
  records: OrderRecord[];
  timeoutMs: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}): Promise<{ quiet: boolean; ms: number; backlog: Backlog }> {
  const t0 = Date.now();
  let calm = 0;
  let calmSince = 0;
  let lastLog = 0;
  let backlog: Backlog | undefined;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      backlog = await readBacklog(opts.mongo, opts.sandbox, opts.records);
    } catch (err) {
      opts.log(`  drain: could not read the backlog (${String(err)}); retrying`);
      backlog = undefined;
    }
    const empty = backlog !== undefined && Object.values(backlog).every((n) => n === 0);
    calm = empty ? calm + 1 : 0;
    if (calm === 1) calmSince = Date.now();
    // Quiet since the first of the two empty readings.
    if (calm >= 2) return { quiet: true, ms: calmSince - t0, backlog: backlog as Backlog };
    if (backlog && Date.now() - lastLog >= 5_000) {
      lastLog = Date.now();
      opts.log(
        `  drain +${((Date.now() - t0) / 1000).toFixed(0)}s: ` +
          Object.entries(backlog)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
      );
    }
    if (Date.now() - t0 >= opts.timeoutMs) {
      return {
        quiet: false,
        ms: Date.now() - t0,
        backlog: backlog ?? {
          webhooksInFlight: -1,
          inboxUnfinished: -1,
          dlqPending: -1,
          capturedNotPaid: -1,
          undelivered: -1,
        },
      };
    }
    const total = backlog ? (Object.values(backlog) as number[]).reduce((a, b) => a + b, 0) : 0;
    await sleep(total > LARGE_BACKLOG ? SLOW_POLL_MS : POLL_MS, undefined, {
      ...(opts.signal ? { signal: opts.signal } : {}),
    }).catch(() => undefined);
  }
}
