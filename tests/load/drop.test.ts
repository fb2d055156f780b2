import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoadTest } from './orchestrator.ts';
import { scenarioFileOf } from './scenario.ts';

// The short drop for `make test`: the same orchestrator, stack, drop runner and verifier as
// `make load-test SCENARIO=drop`, with 400 buyers arriving over 3 s and the creator editing every
// 0.5 s. It asserts what must hold at any speed (nothing lost, applied twice or delivered twice,
// no 5xx, no stale storefront, every check); the timing goals are for the full run.
const resultsDir = mkdtempSync(join(tmpdir(), 'storefront-drop-test-'));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

/** Thresholds that are properties, not speeds. */
const PROPERTIES = [
  '5xx responses',
  'server 5xx responses',
  'check pass rate',
  'stale storefront reads',
  'creator edits acknowledged',
  'creator edits failed',
  'paid buyers',
  'lost (captured, not paid here)',
  'applied twice',
  'double deliveries',
  'verifier violations',
  'quiet after the drop (0 = no)',
];

describe('creator drop (short)', () => {
  it(
    'when 400 buyers arrive within 3 s while the creator edits, then nothing is lost, doubled or stale and nothing answers 5xx',
    { timeout: 150_000 },
    async () => {
      const lines: string[] = [];
      const r = await runLoadTest({
        tool: 'node',
        scenarioFile: scenarioFileOf('drop'),
        scenarioOverride: {
          name: 'creator-drop-short',
          stages: [{ duration: '3s', target: 400 }],
          gracefulRampDownSeconds: 60,
          thinkTimeSeconds: { min: 0.1, max: 0.5 },
          drop: { editEverySeconds: 0.5 },
        },
        resultsDir,
        baselineDoc: false,
        log: (l) => lines.push(l),
      });
      const context = `${lines.join('\n')}\n${JSON.stringify(r.drop, null, 2)}`;
      const properties = r.thresholds.filter((t) => PROPERTIES.includes(t.name));
      expect(properties.map((t) => t.name).sort(), context).toEqual([...PROPERTIES].sort());
      expect(
        properties.filter((t) => !t.ok),
        context,
      ).toEqual([]);
      const d = r.drop;
      expect(d, context).toBeDefined();
      if (!d) return;
      // Everyone arrived, a share bought, and every buyer who paid saw the download.
      expect(d.buyers).toBe(400);
      expect(d.paid).toBeGreaterThan(20);
      expect(d.verifier.figures.paid).toBe(d.paid);
      expect(d.downloadsNotSeen).toBe(0);
      expect(d.captureToDownloadMs.count).toBe(d.paid);
      // Every Checkout callback the buyers made is counted by the API under one outcome, and
      // each one ended paid, already paid, or deferred to the worker's check by a busy API
      // (failed payments make no callback); the verifier above found every order paid.
      const outcomes = Object.values(d.callbackOutcomes).reduce((a, b) => a + b, 0);
      expect(outcomes, context).toBe(d.callback.count);
      const { paid = 0, already_paid = 0, deferred = 0 } = d.callbackOutcomes;
      expect(paid + already_paid + deferred, context).toBe(d.callback.count);
      // The worker's counters account for every paid order once: paid by a webhook event, by a
      // deferred callback's check, or by the callback itself; and each delivered once.
      const w = d.worker;
      expect(w, context).not.toBeNull();
      if (!w) return;
      const byWebhook = w.webhookEvents.paid ?? 0;
      const byCheck = w.ordersChecked.marked_paid ?? 0;
      expect(byWebhook + byCheck + paid, context).toBe(d.paid);
      expect(w.deliveries, context).toBe(d.paid);
      // The sandbox really sent duplicates, and the reads really were checked against edits.
      expect(d.verifier.figures.webhookCopies.delivered).toBeGreaterThanOrEqual(d.paid * 3 * 2);
      expect(d.staleness.readsChecked).toBe(800);
      expect(d.staleness.edits).toBeGreaterThanOrEqual(2);
      // Buyers saw the edits: reads of more than one revision, none without one.
      expect(Object.keys(d.staleness.revisionsSeen).length, context).toBeGreaterThan(1);
      expect(d.staleness.revisionsSeen['-1']).toBeUndefined();
      expect(r.client.requests.status429).toBe(0);
      // The API's and the worker's event loops were sampled each second while the buyers ran.
      for (const loop of [r.eventLoop?.api, r.eventLoop?.worker]) {
        expect(loop?.samples ?? 0, context).toBeGreaterThan(0);
        expect(loop?.max ?? 0, context).toBeGreaterThan(0);
        expect(loop?.max ?? 2).toBeLessThanOrEqual(1);
        expect(loop?.saturated ?? -1).toBeLessThanOrEqual(loop?.samples ?? 0);
      }
      // MongoDB counted what it ran while the buyers ran: writes and reads, per paid order.
      const m = d.mongoCommands;
      expect(m, context).not.toBeNull();
      if (!m) return;
      expect(m.total).toBe(Object.values(m.byName).reduce((a, b) => a + b, 0));
      expect(m.byName.find ?? 0, context).toBeGreaterThan(0);
      expect((m.byName.update ?? 0) + (m.byName.insert ?? 0), context).toBeGreaterThan(0);
      expect(m.perPaidOrder).toBeCloseTo(m.total / d.paid, 1);
      expect(m.byName.serverStatus).toBeUndefined();
    },
  );
});
