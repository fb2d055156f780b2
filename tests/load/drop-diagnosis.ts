import { thousands as n } from './format.ts';
import type { LoadTestResult } from './load-test-result.ts';
import { SATURATED, type LoopFigures } from './loop-monitor.ts';
import { totalStageSeconds } from './scenario.ts';

// After a drop that missed a time threshold: where the time went, read from the run's own
// figures, and where to go next. Printed under the drop's figures; nothing here decides the run.

/** The time thresholds a drop can miss (names as the thresholds print them). */
export const STOREFRONT_P95 = 'p95 latency (ms)';
export const STOREFRONT_P99 = 'p99 latency (ms)';
export const CHECKOUT_P99 = 'checkout p99 (ms)';
export const DOWNLOAD_P99 = 'capture → download available p99 (ms)';

/** A loop counts as saturated when at least this share of its samples were at SATURATED or more. */
const SATURATED_SHARE = 0.5;
/** The first read waited "before the API read it" when its p99 is this many times the rest. */
const QUEUED_FACTOR = 10;
/** The API's run-queue wait is named when it is at least this share of the CPU it used. */
const WAIT_SHARE = 0.25;

const saturated = (loop: LoopFigures | undefined): boolean =>
  loop !== undefined && loop.samples > 0 && loop.saturated / loop.samples >= SATURATED_SHARE;

const busy = (name: string, loop: LoopFigures): string =>
  `the ${name}'s event loop was at ${SATURATED * 100} % or more in ${loop.saturated} of ${loop.samples} sampled seconds`;

/** Lines explaining a drop's missed time thresholds (none when it met them, or for other runs). */
export function dropDiagnosis(r: LoadTestResult): string[] {
  const d = r.drop;
  if (!d) return [];
  const missed = new Set(r.failures);
  const lines: string[] = [];
  const api = r.eventLoop?.api;
  const apiBusy = saturated(api) && api ? `; ${busy('API', api)}` : '';

  const json = d.storefrontJson.p99;
  const page = d.storefrontPage.p99;
  const server = r.server.storefrontServerLatencyMs.p99;
  const storefrontMissed = missed.has(STOREFRONT_P95) || missed.has(STOREFRONT_P99);
  if (storefrontMissed && json !== null) {
    const rest = Math.max(page ?? 0, server ?? 0);
    lines.push(
      rest > 0 && json >= QUEUED_FACTOR * rest
        ? `- storefront: the first read (a new connection) waited before the API took it: JSON p99 ` +
            `${n(json)} ms against ${n(page ?? 0)} ms for the page on the same connection and ` +
            `${n(server ?? 0)} ms in the API's own handling${apiBusy}`
        : `- storefront: JSON p99 ${n(json)} ms, page ${n(page ?? 0)} ms, the API's own handling ` +
            `${n(server ?? 0)} ms${apiBusy}`,
    );
  }
  if (missed.has(CHECKOUT_P99) && d.checkout.p99 !== null) {
    lines.push(
      `- checkout: p99 ${n(d.checkout.p99)} ms` +
        (apiBusy
          ? `; each of its sequential MongoDB and gateway round trips waits a turn of the busy loop`
          : '') +
        (d.sandboxLatencyMs > 0
          ? `; the sandbox adds ${d.sandboxLatencyMs} ms to its gateway call`
          : ''),
    );
  }
  if (missed.has(DOWNLOAD_P99) && d.captureToDownloadMs.p99 !== null) {
    const worker = r.eventLoop?.worker;
    lines.push(
      `- capture → download: p99 ${n(d.captureToDownloadMs.p99)} ms; the worker's queue backlog ` +
        `peaked at ${n(d.queue.backlogMax)} jobs` +
        (d.queue.drainSeconds === null ? '' : ` and drained in ${d.queue.drainSeconds} s`) +
        (saturated(worker) && worker ? `; ${busy('worker', worker)}` : ''),
    );
  }
  if (lines.length === 0) return [];
  const cpu = r.processCpu;
  return [
    'where the time went:',
    ...lines,
    ...apiDemand(r),
    ...(cpu
      ? [
          `- the machine: ${cpu.totalSeconds.toFixed(1)} CPU-s in ${cpu.wallSeconds.toFixed(1)} s on ` +
            `${cpu.cores} cores (${Math.round(cpu.busyShare * 100)} % busy)`,
        ]
      : []),
    ...(storefrontMissed && d.paid > 0
      ? [
          `- the payments: \`--name drop-no-payments\` runs the same buyers with nobody paying; ` +
            `the difference in the first read is what the payments' processing costs it here`,
        ]
      : []),
    `- next: \`--find-capacity\` finds the largest drop within every threshold here; ` +
      `docs/operations.md, "Sizing for a drop", says what a drop asks of a deployment`,
  ];
}

/**
 * The API's CPU for the whole run against what its processes can run while the buyers arrive (one
 * core each): above 1, the arrivals ask the API for more than it can do as they come, and they
 * queue whatever else the machine has spare. The run's CPU includes what follows the arrivals (the
 * payments' tail), so this is the work the arrivals brought, per second of arrival.
 */
function apiDemand(r: LoadTestResult): string[] {
  const apiSeconds = r.processCpu?.seconds.api;
  const arrivalSeconds = totalStageSeconds(r.scenario);
  const processes = r.machine.apiProcesses;
  if (apiSeconds === undefined || arrivalSeconds <= 0 || processes <= 0) return [];
  const times = apiSeconds / (arrivalSeconds * processes);
  // An event loop's utilization counts the time its thread waited for a core as busy: where the
  // other processes held the cores, part of the "saturated" loop was not the API's own work.
  const waited = r.processCpu?.waitSeconds?.api;
  const wait =
    waited !== undefined && waited >= WAIT_SHARE * apiSeconds
      ? `; besides, its main thread${processes === 1 ? '' : 's'} waited ${waited.toFixed(1)} s ` +
        `for a core while ready to run (the machine's other processes held the cores)`
      : '';
  return [
    `- the API: the buyers who arrived over ${arrivalSeconds} s asked it for ` +
      `${apiSeconds.toFixed(1)} CPU-s, ${times.toFixed(1)} times what its ${processes} ` +
      `process${processes === 1 ? '' : 'es'} (one core each) can run in ${arrivalSeconds} s` +
      wait,
  ];
}
