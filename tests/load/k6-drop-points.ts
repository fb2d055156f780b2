import { readFileSync } from 'node:fs';
import type { OrderFate } from '../chaos/traffic.ts';
import { staleReads, type EditAck, type RevisionRead } from './drop-model.js';
import { countRevisions, type DropOrderRecord, type DropSummary } from './drop-runner.ts';

// k6's VUs share no memory: drop.k6.js leaves what must be judged across buyers (each read's
// revision, each acknowledged edit, each order) as raw points (`k6 run --out json=FILE`). This
// turns them into the figures the Node runner computes in-process, with the same rules.

interface K6Point {
  type: string;
  metric: string;
  data: { value: number; tags?: Record<string, string> };
}

/** Fills the drop figures k6's summary cannot hold from the run's `--out json` points. */
export function completeK6DropSummary(summary: DropSummary, pointsText: string): DropSummary {
  const reads: RevisionRead[] = [];
  const edits: EditAck[] = [];
  const records: DropOrderRecord[] = [];
  const plans: Record<string, number> = {};
  for (const line of pointsText.split('\n')) {
    if (!line.includes('"Point"') || !line.includes('"drop_')) continue;
    const p = JSON.parse(line) as K6Point;
    const tags = p.data.tags ?? {};
    if (p.metric === 'drop_read') reads.push({ startedAt: p.data.value, rev: Number(tags.rev) });
    else if (p.metric === 'drop_edit') edits.push({ rev: Number(tags.rev), ackAt: p.data.value });
    else if (p.metric === 'drop_order') {
      const fate = tags.fate as OrderFate;
      plans[fate] = (plans[fate] ?? 0) + 1;
      const num = (v: string | undefined) => (v ? Number(v) : undefined);
      const capturedAt = num(tags.captured_at);
      const downloadSeenAt = num(tags.download_seen_at);
      records.push({
        index: records.length,
        fate,
        seller: 0,
        checkoutRetries: Number(tags.checkout_retries ?? 0),
        paymentIds: tags.payment_ids ? tags.payment_ids.split(',') : [],
        ...(tags.order_id ? { orderId: tags.order_id } : {}),
        ...(tags.gateway_order_id ? { gatewayOrderId: tags.gateway_order_id } : {}),
        ...(capturedAt !== undefined ? { capturedAt } : {}),
        ...(downloadSeenAt !== undefined ? { downloadSeenAt } : {}),
      });
    }
  }
  const stale = staleReads(edits, reads);
  const paid = records.filter((r) => r.capturedAt !== undefined);
  const buyers = reads.length > 0 ? summary.drop.buyers : 0;
  plans.browse = Math.max(0, buyers - records.length);
  return {
    ...summary,
    passed: summary.passed && stale.length === 0,
    drop: {
      ...summary.drop,
      plans,
      paid: paid.length,
      downloadsSeen: paid.filter((r) => r.downloadSeenAt !== undefined).length,
      downloadsNotSeen: paid.filter((r) => r.downloadSeenAt === undefined).length,
      edits,
      readsChecked: reads.length,
      revisionsSeen: countRevisions(reads),
      staleReads: stale.length,
      staleExamples: stale.slice(0, 10),
      records,
    },
  };
}

/** Reads a `--out json` file and completes the summary. */
export function completeK6DropSummaryFrom(summary: DropSummary, pointsFile: string): DropSummary {
  return completeK6DropSummary(summary, readFileSync(pointsFile, 'utf8'));
}
