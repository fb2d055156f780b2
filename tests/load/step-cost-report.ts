import { CPU_GROUP_LABELS, CPU_GROUPS, type CpuGroup, type ProcessCpu } from './process-cpu.ts';
import { markdownRow } from './markdown-table.ts';

// The arithmetic and the printout of `npm run bench:buyer-steps` (step-cost.ts): CPU per buyer
// step and process group, what one buyer of each kind costs, and what a drop of that mix asks of
// the machine against what it has. Pure functions, tested in step-cost-report.test.ts.

/** The steps of a drop buyer's journey, in journey order. */
export const STEPS = ['storefront', 'page', 'checkout', 'payment', 'callback', 'status'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_LABELS: Record<Step, string> = {
  storefront: 'storefront JSON, new connection',
  page: 'storefront page, same connection',
  checkout: 'checkout (our order + gateway order)',
  payment: 'payment: webhooks accepted, applied, delivered',
  callback: 'Checkout callback',
  status: 'order status with download',
};

// The bench's own process is the orchestrator group: there it runs the buyers as well.
const GROUP_LABELS: Record<CpuGroup, string> = {
  ...CPU_GROUP_LABELS,
  orchestrator: 'buyers + stand-ins',
};

/** CPU milliseconds per operation of one step, by group, from the step's ProcessCpu. */
export interface StepCost {
  step: Step;
  ops: number;
  wallSeconds: number;
  perOpMs: Partial<Record<CpuGroup, number>>;
  totalMs: number;
}

export function stepCost(step: Step, ops: number, cpu: ProcessCpu): StepCost {
  if (ops <= 0) throw new Error(`step ${step}: no operations measured`);
  const perOpMs: Partial<Record<CpuGroup, number>> = {};
  for (const g of CPU_GROUPS) {
    const s = cpu.seconds[g];
    if (s !== undefined && s > 0) perOpMs[g] = (s * 1000) / ops;
  }
  return {
    step,
    ops,
    wallSeconds: cpu.wallSeconds,
    perOpMs,
    totalMs: (cpu.totalSeconds * 1000) / ops,
  };
}

/** How many times a buyer of the drop makes each step (scenario.drop's shares and polling). */
export interface JourneyMix {
  /** Buyers arriving in the spike. */
  buyers: number;
  /** Share of buyers who start a checkout. */
  checkoutShare: number;
  /** Share of checkouts that end paid (the rest abandon or fail). */
  paidShare: number;
  /** Status polls per paid buyer until the download shows. */
  pollsPerPaidBuyer: number;
  /** Seconds the arrivals are spread over, and the machine's cores. */
  spikeSeconds: number;
  cores: number;
}

export interface DropEstimate {
  /** CPU ms of one browsing buyer (storefront + page) and one paying buyer (the whole journey). */
  browserMs: number;
  payingBuyerMs: number;
  /** CPU seconds the spike's buyers ask for, and the CPU seconds the cores give in the spike. */
  demandSeconds: number;
  availableSeconds: number;
  /** demand / available: above 1 the spike cannot be served as it arrives. */
  ratio: number;
  /** The same with the buyers + stand-ins group left out (what the system itself asks). */
  systemDemandSeconds: number;
}

function costOf(costs: readonly StepCost[], step: Step, skip: ReadonlySet<CpuGroup>): number {
  const c = costs.find((x) => x.step === step);
  if (!c) throw new Error(`no cost measured for step ${step}`);
  let ms = 0;
  for (const g of CPU_GROUPS) if (!skip.has(g)) ms += c.perOpMs[g] ?? 0;
  return ms;
}

/**
 * What a drop of `mix` asks of the machine if every buyer's steps cost what they cost here, one
 * at a time: every buyer reads the storefront and the page; `checkoutShare` check out;
 * `paidShare` of those pay, call back and poll `pollsPerPaidBuyer` times.
 */
export function dropEstimate(costs: readonly StepCost[], mix: JourneyMix): DropEstimate {
  const none = new Set<CpuGroup>();
  const system = new Set<CpuGroup>(['orchestrator', 'generator']);
  const demand = (skip: ReadonlySet<CpuGroup>) => {
    const browser = costOf(costs, 'storefront', skip) + costOf(costs, 'page', skip);
    const paying =
      costOf(costs, 'checkout', skip) +
      costOf(costs, 'payment', skip) +
      costOf(costs, 'callback', skip) +
      mix.pollsPerPaidBuyer * costOf(costs, 'status', skip);
    const checkouts = mix.buyers * mix.checkoutShare;
    // A checkout that is not paid still cost its checkout step.
    const ms =
      mix.buyers * browser +
      checkouts * mix.paidShare * paying +
      checkouts * (1 - mix.paidShare) * costOf(costs, 'checkout', skip);
    return { browser, paying, seconds: ms / 1000 };
  };
  const all = demand(none);
  const availableSeconds = mix.spikeSeconds * mix.cores;
  return {
    browserMs: all.browser,
    payingBuyerMs: all.paying,
    demandSeconds: all.seconds,
    availableSeconds,
    ratio: all.seconds / availableSeconds,
    systemDemandSeconds: demand(system).seconds,
  };
}

const ms = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));

/** The per-step table (markdown), one column per group that used CPU in any step. */
export function stepCostTable(costs: readonly StepCost[]): string {
  const groups = CPU_GROUPS.filter((g) => costs.some((c) => (c.perOpMs[g] ?? 0) > 0));
  const head = ['step', 'ops', ...groups.map((g) => `${GROUP_LABELS[g]} ms`), 'total ms'];
  return [
    markdownRow(head),
    markdownRow(head.map(() => '---')),
    ...costs.map((c) =>
      markdownRow([
        STEP_LABELS[c.step],
        String(c.ops),
        ...groups.map((g) => ms(c.perOpMs[g])),
        ms(c.totalMs),
      ]),
    ),
  ].join('\n');
}

/** The lines under the table: one buyer of each kind, and the drop's demand against the cores. */
export function estimateLines(e: DropEstimate, mix: JourneyMix): string[] {
  const f1 = (v: number) => v.toFixed(1);
  return [
    `one browsing buyer: ${e.browserMs.toFixed(2)} ms of CPU; one paying buyer: ${e.payingBuyerMs.toFixed(2)} ms (checkout, payment, callback, ${mix.pollsPerPaidBuyer} status read${mix.pollsPerPaidBuyer === 1 ? '' : 's'})`,
    `a drop of ${mix.buyers} buyers in ${mix.spikeSeconds} s (${Math.round(mix.checkoutShare * 100)} % check out, ${Math.round(mix.paidShare * 100)} % of those pay) asks ${f1(e.demandSeconds)} CPU-s; ${mix.cores} cores give ${f1(e.availableSeconds)} in ${mix.spikeSeconds} s: ${e.ratio.toFixed(2)}× (the system alone, without buyers and stand-ins: ${f1(e.systemDemandSeconds)} CPU-s)`,
  ];
}
