import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { envSchema, PRODUCTION_REQUIRED } from './env.schema.ts';

const root = new URL('../../../../', import.meta.url);

describe('loadConfig', () => {
  it('when nothing is set, then development defaults give a complete config', () => {
    const config = loadConfig({});
    expect(config.NODE_ENV).toBe('development');
    expect(config.API_PORT).toBe(3000);
    expect(config.STORE_REDIS_TTL_SECONDS).toBe(60);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when the worker is given its own batch window, then the API keeps its own; past a second, refused', () => {
    expect(loadConfig({}).WORKER_MONGO_BATCH_WINDOW_MS).toBe(2);
    const config = loadConfig({ WORKER_MONGO_BATCH_WINDOW_MS: '10' });
    expect(config.WORKER_MONGO_BATCH_WINDOW_MS).toBe(10);
    expect(config.MONGO_BATCH_WINDOW_MS).toBe(2);
    expect(loadConfig({ WORKER_MONGO_BATCH_WINDOW_MS: '0' }).WORKER_MONGO_BATCH_WINDOW_MS).toBe(0);
    expect(() => loadConfig({ WORKER_MONGO_BATCH_WINDOW_MS: '1001' })).toThrowError(
      /WORKER_MONGO_BATCH_WINDOW_MS/,
    );
    expect(loadConfig({}).WORKER_MONGO_SLACK_BATCH_WINDOW_MS).toBe(10);
    expect(() => loadConfig({ WORKER_MONGO_SLACK_BATCH_WINDOW_MS: '-1' })).toThrowError(
      /WORKER_MONGO_SLACK_BATCH_WINDOW_MS/,
    );
  });

  it('when a port is not numeric, then it fails naming the variable and the value', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrowError(/API_PORT.*"eighty"/);
  });

  it('when several variables are bad, then one error names every one of them', () => {
    try {
      loadConfig({ API_PORT: '-1', MONGO_POOL_SIZE: 'x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const names = (err as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(names).toEqual(expect.arrayContaining(['API_PORT', 'MONGO_POOL_SIZE', 'LOG_LEVEL']));
    }
  });

  it('when NODE_ENV=production and secrets are missing, then each missing secret is named', () => {
    try {
      loadConfig({ NODE_ENV: 'production' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of PRODUCTION_REQUIRED) expect(problems).toContain(name);
    }
  });

  it('when a secret is invalid, then its value is not echoed in the message', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short-secret' })).toThrowError(
      /JWT_SECRET.*\[redacted\]/,
    );
  });

  it('when the images bucket is the files bucket, then it fails naming S3_IMAGES_BUCKET', () => {
    expect(() =>
      loadConfig({ S3_BUCKET: 'one-bucket', S3_IMAGES_BUCKET: 'one-bucket' }),
    ).toThrowError(/S3_IMAGES_BUCKET: must differ from S3_BUCKET/);
  });

  it('when PUBLIC_IMAGES_BASE_URL has trailing slashes, then they are dropped; unset, it stays undefined', () => {
    expect(
      loadConfig({ PUBLIC_IMAGES_BASE_URL: 'https://cdn.example.com/img//' })
        .PUBLIC_IMAGES_BASE_URL,
    ).toBe('https://cdn.example.com/img');
    expect(loadConfig({}).PUBLIC_IMAGES_BASE_URL).toBeUndefined();
  });

  it('when a variable is empty, then its default applies', () => {
    expect(loadConfig({ API_PORT: '' }).API_PORT).toBe(3000);
  });
});

describe('configuration is documented', () => {
  const names = Object.keys(envSchema.shape);
  it.each(['.env.example', 'docs/configuration.md'])(
    'when reading %s, then every variable appears',
    (file) => {
      const text = readFileSync(new URL(file, root), 'utf8');
      const missing = names.filter(
        (n) => !new RegExp(`(^|[^A-Z_])${n}([^A-Z_]|$)`, 'm').test(text),
      );
      expect(missing).toEqual([]);
    },
  );
});
