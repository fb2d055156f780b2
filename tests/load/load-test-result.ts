import type { DropFigures } from './drop-run.ts';
import type { Check, LoadSummary } from './load-summary.js';
import type { LoopFigures } from './loop-monitor.ts';
import type { ProcessCpu } from './process-cpu.ts';
import type { Scenario } from './scenario.ts';
import type { ServerFigures } from './server-metrics.ts';

/** Everything a run measured and decided; also the content of the results file. */
export interface LoadTestResult {
  passed: boolean;
  /** Names of failed thresholds (empty when passed). */
  failures: string[];
  resultsFile: string;
  startedAt: string;
  finishedAt: string;
  commit: string;
  machine: MachineInfo;
  scenario: Omit<Scenario, 'usernames'> & { seededUsernames: number };
  client: LoadSummary;
  server: ServerFigures;
  thresholds: Check[];
  goals: Check[];
  /** CPU of every process of the run while the load generator ran (Linux; process-cpu.ts). */
  processCpu?: ProcessCpu;
  /**
   * Event loop utilization while the load generator ran, sampled each second (loop-monitor.ts):
   * the API's (its busiest process), and the worker's where the run samples it (the drop).
   */
  eventLoop?: { api: LoopFigures; worker?: LoopFigures };
  /** The drop scenario's own figures (absent for the browse scenario). */
  drop?: DropFigures;
  note?: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  apiProcesses: number;
  /** The worker's scheduling group nice, when the run set one (`--worker-nice`). */
  workerNice?: number;
  /** 1-minute load average before and after the run (other work on a shared machine shows here). */
  loadAverageStart: number;
  loadAverageEnd: number;
}
