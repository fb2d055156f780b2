import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { buyersPay } from './drop-model.js';
import {
  apiProcessesFor,
  defaultApiProcesses,
  loadScenario,
  maxVus,
  parseScenario,
  scenarioFileOf,
  targetVusAt,
  totalStageSeconds,
  type Scenario,
} from './scenario.ts';

describe('load scenario', () => {
  it('when the checked-in scenario is read, then it is the 10,000-user drop with the issue thresholds', () => {
    const s = loadScenario();
    expect(maxVus(s)).toBe(10_000);
    expect(s.thresholds).toMatchObject({ p95Ms: 100, p99Ms: 500, max5xx: 0, hitRatioAbove: 0.95 });
    expect(s.thinkTimeSeconds).toEqual({ min: 1, max: 3 });
    expect(s.mix.hotShare).toBe(0.7);
  });

  it('when an override is given, then objects merge and arrays replace', () => {
    const s = loadScenario(undefined, {
      stages: [{ duration: '10s', target: 300 }],
      seed: { creators: 40 },
    });
    expect(s.stages).toEqual([{ duration: '10s', target: 300 }]);
    expect(s.seed).toEqual({
      creators: 40,
      productsPerCreator: loadScenario().seed.productsPerCreator,
    });
    expect(s.thresholds.p95Ms).toBe(100);
  });

  it('when the scenario is invalid, then every problem is named', () => {
    const base = loadScenario();
    expect(() =>
      parseScenario({
        ...base,
        stages: [{ duration: 'soon', target: 10 }],
        clients: { ...base.clients, xffPoolSize: 1000 },
      }),
    ).toThrow(/stages\.0\.duration[\s\S]*clients\.xffPoolSize/);
    expect(() =>
      parseScenario({ ...base, clients: { ...base.clients, xffPoolSize: 4096 } }),
    ).toThrow(/at least the largest stage target/);
  });

  it('when asking for the VU target over time, then stages ramp linearly from zero', () => {
    const s = {
      stages: [
        { duration: '10s', target: 100 },
        { duration: '10s', target: 100 },
        { duration: '5s', target: 0 },
      ],
    };
    expect(totalStageSeconds(s)).toBe(25);
    expect(targetVusAt(s, 0)).toBe(0);
    expect(targetVusAt(s, 5)).toBe(50);
    expect(targetVusAt(s, 15)).toBe(100);
    expect(targetVusAt(s, 22.5)).toBe(50);
    expect(targetVusAt(s, 30)).toBe(0);
  });

  it('when the drop scenario is read, then 10,000 buyers arrive within 10 s with the issue goals as thresholds', () => {
    const s = loadScenario(scenarioFileOf('drop'));
    expect(maxVus(s)).toBe(10_000);
    expect(totalStageSeconds(s)).toBe(10);
    expect(s.mix).toMatchObject({ hotUsername: 'demo', hotShare: 1 });
    expect(s.thresholds).toMatchObject({ p99Ms: 100, max5xx: 0, minCheckRate: 1 });
    expect(s.drop).toMatchObject({
      checkoutShare: 0.2,
      editEverySeconds: 5,
      thresholds: {
        checkoutP99Ms: 500,
        captureToDownloadP99Ms: 5_000,
        maxStaleReads: 0,
        maxLost: 0,
        maxAppliedTwice: 0,
        maxDoubleDeliveries: 0,
      },
    });
    expect(s.drop?.webhookCopies).toBeGreaterThan(1);
    expect(loadScenario(scenarioFileOf('default')).drop).toBeUndefined();
    expect(() => scenarioFileOf('../scenario')).toThrow(/bad scenario name/);
  });

  it('when the drop without payments is read, then it is the drop with every checkout abandoned', () => {
    const drop = loadScenario(scenarioFileOf('drop'));
    const bare = loadScenario(scenarioFileOf('drop-no-payments'));
    expect(buyersPay(bare.drop!)).toBe(false);
    expect(buyersPay(drop.drop!)).toBe(true);
    // Everything else as the drop's, so that the two measure the same buyers.
    const rest = (s: Scenario) => ({
      ...s,
      name: undefined,
      description: undefined,
      drop: { ...s.drop, abandonShare: undefined, failShare: undefined },
    });
    expect(rest(bare)).toEqual(rest(drop));
  });

  it('when sizing the API, then the default is every core and the drop takes half, at least one process', () => {
    expect(loadScenario().apiProcessesPerCore).toBe(1);
    expect(loadScenario(scenarioFileOf('drop')).apiProcessesPerCore).toBe(0.5);
    expect(apiProcessesFor(2, 1)).toBe(2);
    expect(apiProcessesFor(2, 0.5)).toBe(1);
    expect(apiProcessesFor(8, 0.5)).toBe(4);
    expect(apiProcessesFor(1, 0.5)).toBe(1);
    expect(apiProcessesFor(3, 0.5)).toBe(2);
    expect(defaultApiProcesses(loadScenario())).toBe(availableParallelism());
    expect(defaultApiProcesses(loadScenario(scenarioFileOf('drop')))).toBe(
      apiProcessesFor(availableParallelism(), 0.5),
    );
    expect(() => loadScenario(undefined, { apiProcessesPerCore: 0 })).toThrow(
      /apiProcessesPerCore/,
    );
    expect(() => loadScenario(undefined, { apiProcessesPerCore: 1.5 })).toThrow(
      /apiProcessesPerCore/,
    );
  });
});
