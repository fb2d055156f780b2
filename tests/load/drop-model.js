// The drop scenario's model shared by the k6 script (drop.k6.js) and the Node runner
// (drop-runner.ts): plain JavaScript so both tools decide, mark and judge the same way.

/** The dropped product's title at revision `rev` (each creator edit is the next revision). */
export function revisionTitle(base, rev) {
  return `${base} (rev ${rev})`;
}

const REVISION = /\(rev (\d+)\)/;

/** The revision a storefront answer (JSON or page) shows, or -1 when it shows none. */
export function revisionIn(body) {
  const m = REVISION.exec(body);
  return m ? Number(m[1]) : -1;
}

/**
 * What one arriving buyer does: `browse` (reads only), or, for `checkoutShare` of them, the fate of
 * their checkout (the chaos suite's names): `abandoned` (never pays), `failed` (one failed attempt,
 * gives up), `failed_then_captured` (fails, retries, pays), `captured` (pays).
 */
export function buyerPlan(drop, random) {
  const rnd = random || Math.random;
  if (rnd() >= drop.checkoutShare) return 'browse';
  const r = rnd();
  if (r < drop.abandonShare) return 'abandoned';
  if (r < drop.abandonShare + drop.failShare / 2) return 'failed';
  if (r < drop.abandonShare + drop.failShare) return 'failed_then_captured';
  return 'captured';
}

/**
 * Whether any buyer of the scenario pays: some check out, and not all of those abandon or fail for
 * good. A scenario where none does (`abandonShare` 1, or `checkoutShare` 0) measures the buyers'
 * reads and checkouts alone.
 */
export function buyersPay(drop) {
  return drop.checkoutShare > 0 && drop.abandonShare + drop.failShare / 2 < 1;
}

/**
 * Reads served a storefront older than an edit acknowledged before the read began. `edits`:
 * `{ rev, ackAt }` (ms, the edit's 200 received); `reads`: `{ startedAt, rev }` (ms, the request
 * about to be sent; rev -1 when the answer showed none). Returns the stale reads with the
 * revision they should have shown at least.
 */
export function staleReads(edits, reads) {
  const acked = edits.slice().sort((a, b) => a.ackAt - b.ackAt);
  const out = [];
  for (const read of reads) {
    let expected = 0;
    for (const e of acked) {
      if (e.ackAt >= read.startedAt) break;
      if (e.rev > expected) expected = e.rev;
    }
    if (read.rev < expected) out.push({ startedAt: read.startedAt, rev: read.rev, expected });
  }
  return out;
}

/**
 * A read answered after this many ms without the download was held by the API (`?wait=`): the
 * buyer asks again at once (apps/api/src/pages/assets/order.js, WAITED_MS).
 */
export const WAITED_MS = 1000;

/** The query of a buyer's status read: the scenario's `pollWaitSeconds` as `?wait=`, if any. */
export function statusQuery(drop) {
  return drop.pollWaitSeconds > 0 ? `?wait=${drop.pollWaitSeconds}` : '';
}

/**
 * How long a buyer who paid waits before reading their order again while it shows no download,
 * as the order page does: at once (0) after a read the API held (answered in `answeredMs` ≥
 * WAITED_MS), else the page's backoff (read at once, then 1 s, 1.5 s, 2.25 s … up to 8 s).
 * `previous`: the last backoff pause in ms, undefined after the first read; a held read keeps it.
 * Returns `{ pause, backoff }`: the pause now, and the `previous` for the next call.
 */
export function nextPoll(drop, previous, answeredMs) {
  if (drop.pollWaitSeconds > 0 && answeredMs >= WAITED_MS) return { pause: 0, backoff: previous };
  const pause = nextPollDelay(drop, previous);
  return { pause, backoff: pause };
}

/**
 * The page's backoff (apps/api/src/pages/assets/order.js): `pollIntervalMs`, then each pause
 * `pollBackoff` times the last, at most `pollMaxIntervalMs`. `previous`: the last pause in ms,
 * undefined after the first read.
 */
export function nextPollDelay(drop, previous) {
  if (previous === undefined) return drop.pollIntervalMs;
  return Math.min(Math.round(previous * drop.pollBackoff), drop.pollMaxIntervalMs);
}

/** p-th percentile (0–100) of `values` by nearest rank; null when empty. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
