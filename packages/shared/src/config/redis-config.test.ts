import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('redis configuration', () => {
  it('when a TLS CA file is given without TLS, then the variable is named', () => {
    expect(problems({ REDIS_TLS_CA_FILE: '/etc/ca.pem' }).join('\n')).toMatch(
      /REDIS_TLS_CA_FILE: only means something with TLS/,
    );
    expect(problems({ REDIS_URL: 'rediss://r:6380', REDIS_TLS_CA_FILE: '/etc/ca.pem' })).toEqual(
      [],
    );
  });

  it('when only REDIS_URL is set, then it is valid and means one node', () => {
    const config = loadConfig({ REDIS_URL: 'redis://10.0.0.1:6380' });
    expect(config.REDIS_CLUSTER_NODES).toBeUndefined();
    expect(config.REDIS_SENTINELS).toBeUndefined();
  });

  it('when cluster nodes are listed, then they are parsed as a list', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, [::1]:7001 ,redis-a:7002' });
    expect(config.REDIS_CLUSTER_NODES).toEqual(['10.0.0.1:7000', '[::1]:7001', 'redis-a:7002']);
  });

  it('when a cluster or sentinel entry is not host:port, then the variable and the entry are named', () => {
    expect(
      problems({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2', QUEUE_PREFIX: '{q}' }).join('\n'),
    ).toMatch(/REDIS_CLUSTER_NODES: "10.0.0.2" is not host:port/);
    expect(problems({ REDIS_SENTINELS: 'a:99999', REDIS_SENTINEL_MASTER: 'm' }).join('\n')).toMatch(
      /REDIS_SENTINELS: "a:99999" is not host:port/,
    );
  });

  it('when every bad combination is set at once, then each one is named', () => {
    const list = problems({
      REDIS_URL: 'rediss://r:6379',
      REDIS_CLUSTER_NODES: 'a:7000',
      REDIS_SENTINELS: 'b:26379',
      REDIS_USERNAME: 'app',
      REDIS_TLS: 'false',
      QUEUE_PREFIX: 'bull',
    });
    const text = list.join('\n');
    expect(text).toMatch(/REDIS_CLUSTER_NODES: cannot be set together with REDIS_SENTINELS/);
    expect(text).toMatch(/REDIS_URL: cannot be set together with REDIS_CLUSTER_NODES/);
    expect(text).toMatch(/REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS/);
    expect(text).toMatch(/REDIS_USERNAME: an ACL user needs REDIS_PASSWORD/);
    expect(text).toMatch(/REDIS_TLS: is false but REDIS_URL uses rediss:/);
    expect(text).toMatch(/QUEUE_PREFIX: needs a \{hash tag\}/);
  });

  it('when a sentinel master name is given without sentinels, then it is rejected', () => {
    expect(problems({ REDIS_SENTINEL_MASTER: 'mymaster', REDIS_SENTINEL_PASSWORD: 'p' })).toEqual([
      'REDIS_SENTINEL_MASTER: only means something with REDIS_SENTINELS',
      'REDIS_SENTINEL_PASSWORD: only means something with REDIS_SENTINELS',
    ]);
  });

  it('when REDIS_TLS=true with a redis:// URL, then it asks for rediss://', () => {
    expect(problems({ REDIS_URL: 'redis://r:6379', REDIS_TLS: 'true' })).toEqual([
      'REDIS_TLS: is true but REDIS_URL uses redis://; write rediss:// instead',
    ]);
  });

  it('when the password is invalid elsewhere, then its value is not echoed', () => {
    expect(problems({ REDIS_PASSWORD: 's3cret', REDIS_TLS: 'maybe' }).join('\n')).not.toContain(
      's3cret',
    );
  });

  it('when NODE_ENV=production, then Cluster or Sentinel satisfies the Redis requirement', () => {
    const base = {
      NODE_ENV: 'production',
      MONGO_URL: 'mongodb://m/db',
      JWT_SECRET: 'x'.repeat(40),
      ADMIN_PASSWORD: 'admin-password-long',
      ENCRYPTION_KEYS: 'k1:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=',
      RAZORPAY_KEY_ID: 'rzp',
      RAZORPAY_KEY_SECRET: 'secret',
      RAZORPAY_WEBHOOK_SECRET: 'whsecret',
      S3_ACCESS_KEY_ID: 'a',
      S3_SECRET_ACCESS_KEY: 'b',
    };
    expect(problems(base).join('\n')).toMatch(/REDIS_URL: required when NODE_ENV=production/);
    expect(problems({ ...base, REDIS_CLUSTER_NODES: 'a:7000' })).toEqual([]);
    expect(problems({ ...base, REDIS_SENTINELS: 'a:26379', REDIS_SENTINEL_MASTER: 'm' })).toEqual(
      [],
    );
  });
});
