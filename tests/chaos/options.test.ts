import { describe, expect, it } from 'vitest';
import { FULL_PROFILE, OptionError, parseChaosOptions, SHORT_PROFILE } from './options.ts';

describe('chaos options', () => {
  it('when nothing is given, then the full profile applies', () => {
    const { options, help } = parseChaosOptions([], {});
    expect(help).toBe(false);
    expect(options.orders).toBe(FULL_PROFILE.orders);
    expect(options.mongoFailRatio).toBe(0.05);
    expect(options.redis).toBe('single');
  });

  it('when --redis cluster or CHAOS_REDIS=sentinel is given, then the run uses that deployment', () => {
    expect(parseChaosOptions(['--redis', 'cluster'], {}).options.redis).toBe('cluster');
    expect(parseChaosOptions([], { CHAOS_REDIS: 'sentinel' }).options.redis).toBe('sentinel');
  });

  it('when a flag and its CHAOS_ variable are both set, then the flag wins', () => {
    const { options } = parseChaosOptions(['--orders', '42', '--profile=short'], {
      CHAOS_ORDERS: '7',
      CHAOS_KILL_EVERY_MS: '100,200',
      CHAOS_KEEP_LOGS: '1',
    });
    expect(options.orders).toBe(42);
    expect(options.killEveryMs).toEqual([100, 200]);
    expect(options.keepLogs).toBe(true);
    expect(options.retryTimeScale).toBe(SHORT_PROFILE.retryTimeScale);
  });

  it('when a value is out of range, then the error names the flag', () => {
    expect(() => parseChaosOptions(['--mongo-fail-ratio', '5'], {})).toThrow(/--mongo-fail-ratio/);
    expect(() => parseChaosOptions([], { CHAOS_KILL_EVERY_MS: '9,1' })).toThrow(OptionError);
    expect(() => parseChaosOptions(['--nope'], {})).toThrow(OptionError);
    expect(() => parseChaosOptions(['--redis', 'galaxy'], {})).toThrow(/--redis must be/);
  });

  it('when MONGO_URL is set, then the run uses that MongoDB', () => {
    const { options } = parseChaosOptions([], { MONGO_URL: 'mongodb://db:27017' });
    expect(options.mongoUrl).toBe('mongodb://db:27017');
  });
});
