import { readFileSync } from 'node:fs';
import type { Connection } from 'mongoose';
import type { DeliveryRecord, RazorpaySandbox } from '@storefront/devstack';
import {
  deliveryModel,
  orderModel,
  transactionModel,
  webhookDlqModel,
  webhookEventModel,
  type Order,
} from '@storefront/shared';
import type { PoisonedEvent } from './poison.ts';
import type { OrderRecord } from './traffic.ts';

// The end-of-run checks. `collectFacts` reads MongoDB, the sandbox, the alert sink and the
// worker logs; `judge` is a pure function of those facts, so its rules are unit-tested.

/** One alert as the worker POSTs it to ALERT_WEBHOOK_URL. */
export interface ReceivedAlert {
  alert?: string;
  message?: string;
  details?: { eventId?: string; eventType?: string; permanent?: boolean; retryCount?: number };
}

/** An order as stored, reduced to what the checks need. */
export interface StoredOrder {
  id: string;
  status: string;
  gatewayOrderId?: string;
  paymentId?: string;
  deliveryStatus?: string;
}

/** A payment as the sandbox (the gateway's truth) has it now. */
export interface GatewayPayment {
  id: string;
  orderId: string;
  status: string;
}

/** Everything the verdict is drawn from. */
export interface Facts {
  records: OrderRecord[];
  poisoned: PoisonedEvent[];
  /** Gateway order id → status in the sandbox (`paid` = a payment was captured). */
  gatewayOrders: Map<string, string>;
  /** Payment id → the sandbox's payment, for every payment id an order or a record names. */
  gatewayPayments: Map<string, GatewayPayment>;
  orders: StoredOrder[];
  /** `orderId` of each `deliveries` document. */
  deliveries: string[];
  /** `paid` entries of the transactions log. */
  paidTransactions: Array<{ orderId: string; paymentId?: string; source: string }>;
  duplicateCaptureTransactions: number;
  inbox: Array<{ id: string; status: string }>;
  dlq: Array<{ id: string; status: string }>;
  /** Webhook copies the sandbox got a 2xx for (Razorpay considers them delivered). */
  acknowledgedEventIds: string[];
  webhookCopies: {
    delivered: number;
    dropped: number;
    failed: number;
    pending: number;
    retried: number;
  };
  /** Event ids the alert webhook received alerts for. */
  alertedEventIds: string[];
  /** Order id → "order delivered" log lines across every worker process's log. */
  deliveredLogLines: Map<string, number>;
}

/** The figures a run reports. */
export interface Figures {
  orders: number;
  checkedOut: number;
  checkoutGaveUp: number;
  checkoutRetries: number;
  /** Gateway orders the sandbox captured a payment for. */
  captured: number;
  capturedWithWebhooksLost: number;
  paid: number;
  /** Captured at the gateway, not paid here. */
  lost: number;
  /** Orders with more than one `paid` entry or a second delivery log line. */
  appliedTwice: number;
  doubleDeliveries: number;
  missingDeliveries: number;
  /** Paid here without a captured payment for its gateway order. */
  paidWithoutCapture: number;
  duplicateCaptures: number;
  transactionMismatches: number;
  paidViaReconciliation: number;
  inboxEvents: number;
  inboxUnfinished: number;
  acknowledgedNotInInbox: number;
  poisoned: number;
  poisonedDead: number;
  poisonedAlerted: number;
  dlqUnexpected: number;
  webhookCopies: Facts['webhookCopies'];
}

export interface Verdict {
  passed: boolean;
  figures: Figures;
  /** One line per broken rule, with a few example ids. */
  violations: string[];
}

const EXAMPLES = 5;

/** Applies every rule of the issue to the facts. */
export function judge(f: Facts): Verdict {
  const violations: string[] = [];
  const fail = (what: string, ids: string[]) => {
    if (ids.length === 0) return;
    const more = ids.length > EXAMPLES ? ` (+${ids.length - EXAMPLES} more)` : '';
    violations.push(`${what}: ${ids.length} — ${ids.slice(0, EXAMPLES).join(', ')}${more}`);
  };

  const byGatewayId = new Map<string, StoredOrder[]>();
  for (const o of f.orders) {
    if (!o.gatewayOrderId) continue;
    const list = byGatewayId.get(o.gatewayOrderId) ?? [];
    list.push(o);
    byGatewayId.set(o.gatewayOrderId, list);
  }
  const paidOrders = f.orders.filter((o) => o.status === 'paid');
  const paidIds = new Set(paidOrders.map((o) => o.id));

  // 1. Every captured gateway order is paid here, with the captured payment.
  const captured = f.records.filter(
    (r) => r.gatewayOrderId && f.gatewayOrders.get(r.gatewayOrderId) === 'paid',
  );
  const lost: string[] = [];
  const wrongPayment: string[] = [];
  for (const r of captured) {
    const ours = byGatewayId.get(r.gatewayOrderId as string) ?? [];
    const paid = ours.filter((o) => o.status === 'paid');
    if (paid.length === 0) {
      lost.push(`${r.orderId ?? '?'} (${r.gatewayOrderId}, ${r.fate})`);
      continue;
    }
    const capturedIds = r.paymentIds.filter(
      (id) => f.gatewayPayments.get(id)?.status === 'captured',
    );
    for (const o of paid) {
      if (!o.paymentId || !capturedIds.includes(o.paymentId)) wrongPayment.push(o.id);
    }
  }
  fail('LOST: captured at the gateway but not paid here', lost);
  fail('paid with a payment other than the captured one', wrongPayment);

  // 2. Nothing is paid here that the gateway did not capture.
  const withoutCapture = paidOrders
    .filter((o) => {
      const p = o.paymentId ? f.gatewayPayments.get(o.paymentId) : undefined;
      return (
        !o.gatewayOrderId ||
        f.gatewayOrders.get(o.gatewayOrderId) !== 'paid' ||
        !p ||
        p.status !== 'captured' ||
        p.orderId !== o.gatewayOrderId
      );
    })
    .map((o) => o.id);
  fail('paid without a captured payment at the gateway', withoutCapture);

  // 3. Applied once: one `paid` log entry per paid order, none for the others.
  const paidEntries = countBy(f.paidTransactions.map((t) => t.orderId));
  const twice = [...paidEntries].filter(([, n]) => n > 1).map(([id]) => id);
  const deliveredTwiceInLogs = [...f.deliveredLogLines].filter(([, n]) => n > 1).map(([id]) => id);
  const appliedTwice = new Set([...twice, ...deliveredTwiceInLogs]);
  fail('APPLIED TWICE: more than one `paid` transaction', twice);
  const noEntry = paidOrders.filter((o) => !paidEntries.has(o.id)).map((o) => o.id);
  const entryForUnpaid = [...paidEntries.keys()].filter((id) => !paidIds.has(id));
  fail('paid orders without a `paid` transaction', noEntry);
  fail('`paid` transactions for orders that are not paid', entryForUnpaid);
  const duplicateCaptures: string[] = f.duplicateCaptureTransactions
    ? [`${f.duplicateCaptureTransactions} duplicate_capture entries`]
    : [];
  fail('second captures recorded', duplicateCaptures);

  // 4. Exactly one delivery per paid order; none for the others.
  const deliveriesPerOrder = countBy(f.deliveries);
  const doubleDeliveries = [...deliveriesPerOrder].filter(([, n]) => n > 1).map(([id]) => id);
  fail('DOUBLE DELIVERY: more than one `deliveries` document', doubleDeliveries);
  fail(
    'DOUBLE DELIVERY: delivered more than once according to the worker logs',
    deliveredTwiceInLogs,
  );
  const missing = paidOrders
    .filter((o) => !deliveriesPerOrder.has(o.id) || o.deliveryStatus !== 'delivered')
    .map((o) => o.id);
  fail('paid orders not delivered', missing);
  fail(
    'deliveries for orders that are not paid',
    [...deliveriesPerOrder.keys()].filter((id) => !paidIds.has(id)),
  );

  // 5. The inbox: every acknowledged webhook is in it, every event finished (poison: dead).
  const poisonIds = new Set(f.poisoned.map((p) => p.eventId));
  const inboxById = new Map(f.inbox.map((e) => [e.id, e.status]));
  const notInInbox = [...new Set(f.acknowledgedEventIds)].filter((id) => !inboxById.has(id));
  fail('LOST: acknowledged webhooks missing from the inbox', notInInbox);
  const unfinished = f.inbox
    .filter((e) => !poisonIds.has(e.id) && e.status !== 'processed' && e.status !== 'ignored')
    .map((e) => `${e.id} (${e.status})`);
  fail('inbox events not processed', unfinished);

  // 6. The DLQ holds only the poisoned events, dead and alerted.
  const dlqById = new Map(f.dlq.map((e) => [e.id, e.status]));
  const poisonNotDead = f.poisoned
    .filter((p) => dlqById.get(p.eventId) !== 'dead' || inboxById.get(p.eventId) !== 'dead')
    .map(
      (p) =>
        `${p.eventId} (${p.kind}: inbox ${inboxById.get(p.eventId) ?? 'missing'}, dlq ${dlqById.get(p.eventId) ?? 'missing'})`,
    );
  fail('poisoned events not dead in the inbox and the DLQ', poisonNotDead);
  const alerted = new Set(f.alertedEventIds);
  fail(
    'poisoned events without an alert',
    f.poisoned.filter((p) => !alerted.has(p.eventId)).map((p) => p.eventId),
  );
  const dlqUnexpected = f.dlq
    .filter((e) => !poisonIds.has(e.id))
    .map((e) => `${e.id} (${e.status})`);
  fail('DLQ entries that are not poisoned events', dlqUnexpected);
  // A poisoned event must not have paid the order it names.
  fail(
    'orders paid by a poisoned event',
    f.poisoned.filter((p) => p.orderId && paidIds.has(p.orderId)).map((p) => p.orderId as string),
  );

  const figures: Figures = {
    orders: f.records.length,
    checkedOut: f.records.filter((r) => r.orderId).length,
    checkoutGaveUp: f.records.filter((r) => !r.orderId).length,
    checkoutRetries: f.records.reduce((n, r) => n + r.checkoutRetries, 0),
    captured: captured.length,
    capturedWithWebhooksLost: captured.filter((r) => r.fate === 'captured_webhooks_lost').length,
    paid: paidOrders.length,
    lost: lost.length,
    appliedTwice: appliedTwice.size,
    doubleDeliveries: new Set([...doubleDeliveries, ...deliveredTwiceInLogs]).size,
    missingDeliveries: missing.length,
    paidWithoutCapture: withoutCapture.length,
    duplicateCaptures: f.duplicateCaptureTransactions,
    transactionMismatches: noEntry.length + entryForUnpaid.length,
    paidViaReconciliation: f.paidTransactions.filter((t) => t.source === 'reconciliation').length,
    inboxEvents: f.inbox.length,
    inboxUnfinished: unfinished.length,
    acknowledgedNotInInbox: notInInbox.length,
    poisoned: f.poisoned.length,
    poisonedDead: f.poisoned.length - poisonNotDead.length,
    poisonedAlerted: f.poisoned.filter((p) => alerted.has(p.eventId)).length,
    dlqUnexpected: dlqUnexpected.length,
    webhookCopies: f.webhookCopies,
  };
  return { passed: violations.length === 0, figures, violations };
}

function countBy(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

/** Reads the facts from MongoDB (the orchestrator's connection), the sandbox, alerts and logs. */
export async function collectFacts(input: {
  mongo: Connection;
  sandbox: RazorpaySandbox;
  records: OrderRecord[];
  poisoned: PoisonedEvent[];
  alerts: ReceivedAlert[];
  workerLogFiles: string[];
}): Promise<Facts> {
  const { mongo, sandbox } = input;
  const [orders, deliveries, paidTx, dupes, inbox, dlq] = await Promise.all([
    orderModel(mongo)
      .find({}, { status: 1, gatewayOrderId: 1, paymentId: 1, 'delivery.status': 1 })
      .lean<Array<Pick<Order, '_id' | 'status' | 'gatewayOrderId' | 'paymentId' | 'delivery'>>>()
      .exec(),
    deliveryModel(mongo).find({}, { orderId: 1 }).lean().exec(),
    transactionModel(mongo)
      .find({ outcome: 'paid' }, { orderId: 1, paymentId: 1, source: 1 })
      .lean()
      .exec(),
    transactionModel(mongo).countDocuments({ outcome: 'duplicate_capture' }).exec(),
    webhookEventModel(mongo).find({}, { status: 1 }).lean().exec(),
    webhookDlqModel(mongo).find({}, { status: 1 }).lean().exec(),
  ]);

  const stored: StoredOrder[] = orders.map((o) => ({
    id: String(o._id),
    status: o.status,
    ...(o.gatewayOrderId ? { gatewayOrderId: o.gatewayOrderId } : {}),
    ...(o.paymentId ? { paymentId: o.paymentId } : {}),
    ...(o.delivery?.status ? { deliveryStatus: o.delivery.status } : {}),
  }));

  const gatewayOrders = new Map<string, string>();
  const gatewayPayments = new Map<string, GatewayPayment>();
  const gatewayIds = new Set<string>();
  const paymentIds = new Set<string>();
  for (const r of input.records) {
    if (r.gatewayOrderId) gatewayIds.add(r.gatewayOrderId);
    for (const p of r.paymentIds) paymentIds.add(p);
  }
  for (const o of stored) {
    if (o.gatewayOrderId) gatewayIds.add(o.gatewayOrderId);
    if (o.paymentId) paymentIds.add(o.paymentId);
  }
  for (const id of gatewayIds) {
    const g = sandbox.getOrder(id);
    if (g) gatewayOrders.set(id, g.status);
  }
  for (const id of paymentIds) {
    const p = sandbox.getPayment(id);
    if (p) gatewayPayments.set(id, { id, orderId: p.order_id, status: p.status });
  }

  const copies = sandbox.deliveries();
  return {
    records: input.records,
    poisoned: input.poisoned,
    gatewayOrders,
    gatewayPayments,
    orders: stored,
    deliveries: deliveries.map((d) => String(d.orderId)),
    paidTransactions: paidTx.map((t) => ({
      orderId: String(t.orderId),
      source: t.source,
      ...(t.paymentId ? { paymentId: t.paymentId } : {}),
    })),
    duplicateCaptureTransactions: dupes,
    inbox: inbox.map((e) => ({ id: String(e._id), status: e.status })),
    dlq: dlq.map((e) => ({ id: String(e._id), status: e.status })),
    acknowledgedEventIds: copies.filter((d) => d.status === 'delivered').map((d) => d.eventId),
    webhookCopies: copyFigures(copies),
    alertedEventIds: input.alerts
      .map((a) => a.details?.eventId)
      .filter((id): id is string => typeof id === 'string'),
    deliveredLogLines: deliveredLogLines(input.workerLogFiles),
  };
}

function copyFigures(copies: DeliveryRecord[]): Facts['webhookCopies'] {
  const n = { delivered: 0, dropped: 0, failed: 0, pending: 0, retried: 0 };
  for (const c of copies) {
    n[c.status] += 1;
    if (c.attempts > 1) n.retried += 1;
  }
  return n;
}

const DELIVERED_MESSAGES = [
  '"order delivered"',
  '"order delivered but its product has no file yet"',
];

/** Counts the worker's "order delivered" log lines per order over every log file. */
export function deliveredLogLines(files: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!DELIVERED_MESSAGES.some((m) => line.includes(`"message":${m}`))) continue;
      try {
        const orderId = (JSON.parse(line) as { orderId?: unknown }).orderId;
        if (typeof orderId === 'string') counts.set(orderId, (counts.get(orderId) ?? 0) + 1);
      } catch {
        // a line cut by SIGKILL
      }
    }
  }
  return counts;
}
