import { readFileSync, writeFileSync } from 'node:fs';
import type { ChaosReport } from './chaos.ts';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The run's figures as the terminal shows them. */
export function formatReport(r: ChaosReport): string {
  const f = r.figures;
  const c = f.webhookCopies;
  const lines = [
    '',
    `chaos run ${r.passed ? 'PASSED' : 'FAILED'} (seed ${r.options.seed}, commit ${r.commit})`,
    '',
    `  orders (checkouts)        ${f.orders}  (checked out ${f.checkedOut}, gave up ${f.checkoutGaveUp}, buyer retries ${f.checkoutRetries})`,
    `  captured at the gateway   ${f.captured}  (of which every webhook dropped: ${f.capturedWithWebhooksLost})`,
    `  paid                      ${f.paid}  (paid by reconciliation: ${f.paidViaReconciliation})`,
    `  lost                      ${f.lost}`,
    `  applied twice             ${f.appliedTwice}`,
    `  double deliveries         ${f.doubleDeliveries}`,
    `  paid without capture      ${f.paidWithoutCapture}`,
    `  undelivered paid orders   ${f.missingDeliveries}`,
    `  transactions mismatches   ${f.transactionMismatches}  (duplicate captures: ${f.duplicateCaptures})`,
    `  inbox                     ${f.inboxEvents} events, ${f.inboxUnfinished} unfinished, ${f.acknowledgedNotInInbox} acknowledged but missing`,
    `  poisoned events           ${f.poisoned} posted, ${f.poisonedDead} dead, ${f.poisonedAlerted} alerted; other DLQ entries ${f.dlqUnexpected}`,
    `  webhook copies            ${c.delivered} delivered, ${c.dropped} dropped, ${c.failed} given up, ${c.retried} retried by the sandbox`,
    `  time to drain             ${s(r.drainMs)}${r.quiet ? '' : ' (NOT quiet: timed out)'}`,
    '',
    `  faults: ${r.faults.workerKills} worker SIGKILLs, ${redisFault(r)}, ` +
      `MongoDB ${r.options.mongoFailRatio * 100}% write failures for ${s(r.faults.mongoFaultMs)}, ` +
      `${r.faults.throttleBursts} × ${r.options.throttleMs} ms of 429s (${r.gateway.throttled} of ${r.gateway.apiCalls} Razorpay calls refused)`,
    `  timing: start-up ${s(r.startupMs)}, traffic ${s(r.trafficMs)} (${(f.orders / (r.trafficMs / 1000)).toFixed(0)} orders/s), drain ${s(r.drainMs)}`,
    `  machine: ${r.machine.cores} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, load average ${r.machine.loadAverage[0]} → ${r.machine.loadAverage[1]}`,
  ];
  const crashes = Object.entries(r.processes.unexpectedExits);
  if (crashes.length > 0) {
    lines.push(
      `  processes that exited unasked (restarted): ${crashes.map(([n, k]) => `${n} (${k.join(', ')})`).join('; ')}`,
    );
  }
  if (r.violations.length > 0) {
    lines.push('', 'violations:', ...r.violations.map((v) => `  - ${v}`));
  }
  if (r.logsKept) lines.push('', `logs: ${r.runDir}`);
  return lines.join('\n');
}

/** The Redis fault and, on Cluster/Sentinel, the recovery after the primary's death. */
export function redisFault(r: ChaosReport): string {
  const f = r.faults;
  if (r.options.redis === 'single') {
    return `${f.redisOutages} Redis crash(es) (${s(f.redisDownMs)} down, restarted empty)`;
  }
  const name = r.options.redis === 'cluster' ? 'Redis Cluster' : 'Redis Sentinel';
  const fo = f.failover;
  if (fo === undefined) return `${name}: no primary killed`;
  const jobs = fo.firstJobMs < 0 ? 'no job completed' : `first job completed ${s(fo.firstJobMs)}`;
  const back =
    fo.rejoinedMs < 0
      ? 'restarted, did not rejoin as a synced replica'
      : `restarted, a synced replica ${s(fo.rejoinedMs)} later`;
  return `${name} primary ${fo.killed} SIGKILLed → ${fo.promoted}: writes accepted ${s(fo.writesBackMs)}, ${jobs} after the kill; ${fo.killed} ${back}`;
}

/** The Redis column of the results table: deployment, and the recovery time on Cluster/Sentinel. */
function redisCell(r: ChaosReport): string {
  const fo = r.faults.failover;
  if (r.options.redis === 'single') return 'one node (crash, empty restart)';
  if (fo === undefined) return `${r.options.redis}, no kill`;
  const jobs = fo.firstJobMs < 0 ? 'no job' : s(fo.firstJobMs);
  const back = fo.rejoinedMs < 0 ? 'not rejoined' : `rejoined ${s(fo.rejoinedMs)}`;
  return `${r.options.redis}: primary killed; writes ${s(fo.writesBackMs)}, jobs ${jobs}; ${back}`;
}

const TABLE_MARKER = '<!-- chaos-results -->';

/** Appends the run as a row of the results table that follows the marker in `file`. */
export function recordRun(file: string, r: ChaosReport, command: string): void {
  const f = r.figures;
  const row =
    `| ${r.startedAt.slice(0, 16).replace('T', ' ')} | \`${command}\` | ${r.commit} | ` +
    `${r.machine.cores} × ${r.machine.cpu}, load ${r.machine.loadAverage[0]} | ${f.orders} | ${f.captured} | ` +
    `${f.paid} (${f.paidViaReconciliation} by reconciliation) | ${f.lost} | ${f.appliedTwice} | ${f.doubleDeliveries} | ` +
    `${f.paidWithoutCapture} | ${f.poisonedDead}/${f.poisoned} | ${r.faults.workerKills} / ${r.faults.redisOutages} / ` +
    `${s(r.faults.mongoFaultMs)} / ${r.gateway.throttled} | ${redisCell(r)} | ${s(r.trafficMs)} | ${s(r.drainMs)} | ` +
    `${r.passed ? 'pass' : 'FAIL'} |`;
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.trim() === TABLE_MARKER);
  if (at === -1) throw new Error(`${file} has no ${TABLE_MARKER} marker`);
  // The table is the run of `|` lines after the marker (and blank lines); the row goes last.
  let last = at;
  while (lines[last + 1]?.trim() === '') last += 1;
  while (lines[last + 1]?.startsWith('|')) last += 1;
  lines.splice(last + 1, 0, row);
  writeFileSync(file, lines.join('\n'));
}
