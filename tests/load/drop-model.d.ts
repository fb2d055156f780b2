// Types for drop-model.js (plain JavaScript so that k6 can import it too).
import type { OrderFate } from '../chaos/traffic.ts';
import type { DropSettings } from './scenario.ts';

/** What one arriving buyer does. */
export type BuyerPlan = 'browse' | Exclude<OrderFate, 'captured_webhooks_lost'>;

/** One acknowledged creator edit: its revision and when its 200 arrived (ms). */
export interface EditAck {
  rev: number;
  ackAt: number;
}

/** One storefront read: when it was sent (ms) and the revision it showed (-1: none). */
export interface RevisionRead {
  startedAt: number;
  rev: number;
}

export function revisionTitle(base: string, rev: number): string;
export function revisionIn(body: string): number;
export function buyerPlan(
  drop: Pick<DropSettings, 'checkoutShare' | 'abandonShare' | 'failShare'>,
  random?: () => number,
): BuyerPlan;
export function buyersPay(
  drop: Pick<DropSettings, 'checkoutShare' | 'abandonShare' | 'failShare'>,
): boolean;
export function staleReads(
  edits: readonly EditAck[],
  reads: readonly RevisionRead[],
): Array<RevisionRead & { expected: number }>;
export const WAITED_MS: number;
export function statusQuery(drop: Pick<DropSettings, 'pollWaitSeconds'>): string;
export function nextPoll(
  drop: Pick<
    DropSettings,
    'pollIntervalMs' | 'pollBackoff' | 'pollMaxIntervalMs' | 'pollWaitSeconds'
  >,
  previous: number | undefined,
  answeredMs: number,
): { pause: number; backoff: number | undefined };
export function nextPollDelay(
  drop: Pick<DropSettings, 'pollIntervalMs' | 'pollBackoff' | 'pollMaxIntervalMs'>,
  previous: number | undefined,
): number;
export function percentile(values: readonly number[], p: number): number | null;
