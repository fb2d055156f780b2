import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('MongoDB config', () => {
  it('when nothing is set, then writes wait for a majority (10 s at most), retry, and it is valid', () => {
    const config = loadConfig({});
    expect(config.MONGO_WRITE_CONCERN).toBe('majority');
    expect(config.MONGO_WRITE_TIMEOUT_MS).toBe(10_000);
    expect(config.MONGO_RETRY_WRITES).toBe(true);
  });

  it('when a number of members is given, then it is a number', () => {
    expect(loadConfig({ MONGO_WRITE_CONCERN: '3' }).MONGO_WRITE_CONCERN).toBe(3);
  });

  it('when the write concern is 0 or not a number, then it is rejected by name', () => {
    expect(problems({ MONGO_WRITE_CONCERN: '0' }).join('\n')).toMatch(
      /MONGO_WRITE_CONCERN: must be/,
    );
    expect(problems({ MONGO_WRITE_CONCERN: 'all' }).join('\n')).toMatch(/MONGO_WRITE_CONCERN/);
  });

  it('when a replica set is written with w=1, then it is rejected: a failover could roll back acknowledged webhooks', () => {
    const rs = 'mongodb://a:27017,b:27017,c:27017/storefront?replicaSet=rs0';
    expect(problems({ MONGO_URL: rs, MONGO_WRITE_CONCERN: '1' })).toEqual([
      expect.stringMatching(/^MONGO_WRITE_CONCERN: 1 with a replica set/),
    ]);
    expect(problems({ MONGO_URL: rs })).toEqual([]);
    expect(problems({ MONGO_URL: rs, MONGO_WRITE_CONCERN: '2' })).toEqual([]);
    expect(
      problems({ MONGO_URL: 'mongodb+srv://cluster.example/db', MONGO_WRITE_CONCERN: '1' }),
    ).toHaveLength(1);
  });

  it('when MONGO_URL sets write options or a non-primary read preference, then each is named', () => {
    const text = problems({
      MONGO_URL: 'mongodb://m/db?w=1&retryWrites=false&readPreference=secondaryPreferred',
    }).join('\n');
    expect(text).toMatch(/MONGO_URL: set MONGO_WRITE_CONCERN instead of the URL option w/);
    expect(text).toMatch(/MONGO_URL: set MONGO_RETRY_WRITES instead of the URL option retryWrites/);
    expect(text).toMatch(/readPreference=secondaryPreferred: reads that decide money/);
    expect(problems({ MONGO_URL: 'mongodb://m/db?readPreference=primary&appName=x' })).toEqual([]);
  });
});
