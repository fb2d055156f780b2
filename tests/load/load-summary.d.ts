// Types for load-summary.js (plain JavaScript so that the k6 script can import it too).
import type { Scenario } from './scenario.ts';

/** `actual <op> limit` for one threshold or goal. */
export interface Check {
  name: string;
  op: '<' | '<=' | '>' | '>=';
  limit: number;
  actual: number | null;
  ok: boolean;
}

/** Latency figures in milliseconds. */
export interface LatencyMs {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** The summary JSON written by the k6 script's handleSummary and by the Node runner alike. */
export interface LoadSummary {
  format: number;
  tool: 'k6' | 'node-runner';
  toolVersion: string;
  scenario: string;
  baseUrl: string;
  startedAt: string;
  durationSeconds: number;
  vus: { peakTarget: number; max: number };
  /** Most keep-alive connections open at once (node-runner: counted; k6: one per VU by design). */
  connections: { maxOpen: number | null; opened: number | null };
  requests: {
    total: number;
    perSecond: number;
    byStatus: Record<string, number>;
    status5xx: number;
    status429: number;
    networkErrors: number;
  };
  /** Latency the thresholds use; see coordinatedOmission.latencyMeasuredFrom. */
  latencyMs: LatencyMs;
  checks: { passed: number; failed: number; rate: number };
  coordinatedOmission: {
    model: string;
    latencyMeasuredFrom: string;
    lateStartThresholdMs: number;
    lateStarts: number;
    lateStartP99Ms: number;
    lateStartMaxMs: number;
    note: string;
  };
  loadGenerator: Record<string, number | string | null>;
  thresholds: Check[];
  goals: Check[];
  passed: boolean;
}

export const SUMMARY_FORMAT: number;
export function evaluateClientThresholds(
  summary: Pick<LoadSummary, 'latencyMs' | 'requests' | 'checks'>,
  scenario: Pick<Scenario, 'thresholds' | 'goals'>,
): { thresholds: Check[]; goals: Check[] };
export function result(name: string, op: Check['op'], limit: number, actual: number | null): Check;
export function statusClass(status: number): string;
