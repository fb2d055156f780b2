import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  createUsernamePicker,
  defaultTailUsernames,
  parseDurationSeconds,
  requestPath,
  thinkTimeSeconds,
} from './traffic-mix.js';

// A deterministic generator so proportions can be asserted tightly.
function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('traffic mix', () => {
  it('when picking usernames, then the hot creator gets its share and the tail follows Zipf', () => {
    const tail = defaultTailUsernames(100);
    const pick = createUsernamePicker(
      { hotUsername: 'demo', hotShare: 0.7, zipfExponent: 1 },
      tail,
      seeded(7),
    );
    const counts = new Map<string, number>();
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const u = pick();
      counts.set(u, (counts.get(u) ?? 0) + 1);
    }
    expect((counts.get('demo') ?? 0) / n).toBeCloseTo(0.7, 2);
    // Zipf with s=1: rank 1 is picked twice as often as rank 2, ten times as often as rank 10.
    const r1 = counts.get('creator0001') ?? 0;
    expect(r1 / (counts.get('creator0002') ?? 1)).toBeGreaterThan(1.8);
    expect(r1 / (counts.get('creator0002') ?? 1)).toBeLessThan(2.2);
    expect(r1 / (counts.get('creator0010') ?? 1)).toBeGreaterThan(8);
    expect(counts.get('creator0100') ?? 0).toBeGreaterThan(0);
  });

  it('when there is no tail, then every request goes to the hot creator', () => {
    const pick = createUsernamePicker({ hotUsername: 'demo', hotShare: 0.5, zipfExponent: 1 }, [
      'demo',
    ]);
    for (let i = 0; i < 100; i++) expect(pick()).toBe('demo');
  });

  it('when VUs get client addresses, then each VU has its own stable address inside the pool', () => {
    const clients = { xffBase: '198.18.0.0', xffPoolSize: 131072 };
    const seen = new Set<string>();
    for (let vu = 1; vu <= 10_000; vu++) seen.add(clientAddress(vu, clients));
    expect(seen.size).toBe(10_000);
    expect(clientAddress(42, clients)).toBe(clientAddress(42, clients));
    for (const a of seen) expect(a).toMatch(/^198\.(18|19)\.\d{1,3}\.\d{1,3}$/);
  });

  it('when parsing durations and think times, then k6 notation and bounds are respected', () => {
    expect(parseDurationSeconds('90s')).toBe(90);
    expect(parseDurationSeconds('1m30s')).toBe(90);
    expect(parseDurationSeconds('500ms')).toBe(0.5);
    expect(() => parseDurationSeconds('ten seconds')).toThrow();
    for (let i = 0; i < 1000; i++) {
      const t = thinkTimeSeconds({ min: 1, max: 3 });
      expect(t).toBeGreaterThanOrEqual(1);
      expect(t).toBeLessThanOrEqual(3);
    }
    expect(requestPath('/api/v1/store/{username}', 'a b')).toBe('/api/v1/store/a%20b');
  });
});
