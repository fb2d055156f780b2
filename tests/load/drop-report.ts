import type { DropFigures } from './drop-run.ts';
import { thousands as n } from './format.ts';
import type { StepLatency } from './drop-runner.ts';
import type { LoadTestResult } from './load-test-result.ts';

// The drop's figures as `make load-test SCENARIO=drop` prints them after the thresholds.

const ms = (s: StepLatency) =>
  s.count === 0
    ? 'n/a'
    : `p50 ${s.p50} / p95 ${s.p95} / p99 ${s.p99} / max ${s.max} ms (${s.count})`;

const outcomes = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'n/a';

const mongoCommands = (m: DropFigures['mongoCommands']) =>
  m === null
    ? 'n/a (the server does not report them)'
    : `${n(m.total)} (${Object.entries(m.byName)
        .slice(0, 6)
        .map(([name, count]) => `${name} ${n(count)}`)
        .join(', ')}); ${m.perPaidOrder ?? 'n/a'} per paid order`;

const total = (o: Record<string, number>) => Object.values(o).reduce((a, n) => a + n, 0);

/** What the worker did, and its CPU per paid order where the run measured it. */
function workerLine(r: LoadTestResult, d: DropFigures): string {
  const w = d.worker;
  if (!w) return '  worker (server): n/a (no worker metrics)';
  const cpu = r.processCpu?.seconds.worker;
  const perOrder =
    cpu === undefined || d.paid === 0 ? 'n/a' : `${((cpu * 1000) / d.paid).toFixed(1)} ms`;
  const counted = (o: Record<string, number>) => {
    const sum = total(o);
    return sum === 0 ? '0' : `${n(sum)} (${outcomes(o)})`;
  };
  return (
    `  worker (server): webhook events ${counted(w.webhookEvents)}; ` +
    `orders checked with Razorpay ${counted(w.ordersChecked)}; ` +
    `Razorpay calls ${n(w.razorpayCalls)}; deliveries ${n(w.deliveries)}; CPU ${perOrder} per paid order`
  );
}

/** Printed lines for a drop run (empty for other runs). */
export function dropReport(r: LoadTestResult): string[] {
  const d = r.drop;
  if (!d) return [];
  const v = d.verifier.figures;
  const w = d.mongoPool.worker;
  return [
    'drop:',
    `  buyers ${d.buyers} (${Object.entries(d.plans)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}); paid ${d.paid}`,
    `  storefront (client): JSON ${ms(d.storefrontJson)}; page ${ms(d.storefrontPage)}; TCP connect ${d.connect ? ms(d.connect) : 'n/a'}`,
    `  checkout ${ms(d.checkout)}, sandbox order API latency +${d.sandboxLatencyMs} ms; callback ${ms(d.callback)}`,
    `  callback outcomes (server): ${outcomes(d.callbackOutcomes)}`,
    `  webhook accept (server): p50 ${d.webhookAcceptMs.p50} / p95 ${d.webhookAcceptMs.p95} / p99 ${d.webhookAcceptMs.p99} ms (${d.webhookAcceptMs.count} webhooks)`,
    `  capture → download available: ${ms(d.captureToDownloadMs)}; as buyers saw it: ${ms(d.captureToDownloadSeenMs)}; not seen ${d.downloadsNotSeen}`,
    `  5xx: client ${d.status5xx.client} ${JSON.stringify(d.status5xx.byStep)}, server ${d.status5xx.server}`,
    `  MongoDB pool max: API ${d.mongoPool.api.checkedOutMax} out / ${d.mongoPool.api.waitQueueMax} waiting; worker ${w ? `${w.checkedOutMax} / ${w.waitQueueMax}` : 'n/a'}`,
    `  MongoDB commands during the load: ${mongoCommands(d.mongoCommands)}`,
    workerLine(r, d),
    `  queue backlog: max ${d.queue.backlogMax} jobs at +${d.queue.backlogMaxAtSeconds ?? 'n/a'} s, drained in ${d.queue.drainSeconds ?? 'n/a'} s; quiet ${d.quiet.reached ? `after ${(d.quiet.ms / 1000).toFixed(1)} s` : 'NOT reached'}`,
    `  verifier: lost ${v.lost}, applied twice ${v.appliedTwice}, double deliveries ${v.doubleDeliveries}, paid ${v.paid}, captured ${v.captured}, webhook copies ${JSON.stringify(v.webhookCopies)}`,
    ...d.verifier.violations.map((x) => `    VIOLATION ${x}`),
    `  staleness: ${d.staleness.stale} stale of ${d.staleness.readsChecked} reads (reads per revision ${JSON.stringify(d.staleness.revisionsSeen)}); ${d.staleness.edits} edits acknowledged, ${d.staleness.editFailures} failed`,
  ];
}
