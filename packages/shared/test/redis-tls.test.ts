import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '@storefront/devstack';
import { generateDevCert } from '../../../scripts/gen-dev-cert.ts';
import {
  createLogger,
  createRedis,
  loadConfig,
  redisTargetFromConfig,
  waitForRedisReady,
} from '../src/index.ts';

// REDIS_URL=rediss://… with REDIS_TLS_CA_FILE: every connection speaks TLS to a real
// redis-server (its TLS port answers nothing else) and verifies the server's certificate.

const logger = createLogger({ level: 'silent', service: 'test' });
let dir: string;
let certFile: string;
let server: Awaited<ReturnType<typeof startRedisServer>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  const cert = generateDevCert(dir, { hosts: ['127.0.0.1'] });
  certFile = cert.certFile;
  server = await startRedisServer({ tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tlsTarget = (caFile?: string) =>
  redisTargetFromConfig(
    loadConfig({
      REDIS_URL: server.tlsUrl as string,
      ...(caFile ? { REDIS_TLS_CA_FILE: caFile } : {}),
    }),
  );

describe('Redis over TLS', () => {
  it('when the CA file is configured, then commands and a BullMQ job go over TLS', async () => {
    const target = tlsTarget(certFile);
    expect(target.tls).toBe(true);
    const cache = createRedis(target, 'cache', logger);
    const queueConn = createRedis(target, 'queue', logger);
    const queue = new Queue('tls-check', { connection: queueConn, prefix: '{tls}' });
    const worker = new Worker<{ n: number }>(
      'tls-check',
      (job) => Promise.resolve(job.data.n * 2),
      {
        connection: createRedis(target, 'queue', logger),
        prefix: '{tls}',
      },
    );
    try {
      await waitForRedisReady(cache, 5_000);
      expect(await cache.ping()).toBe('PONG');
      const completed = once(worker, 'completed');
      await queue.add('double', { n: 21 });
      const [job] = (await completed) as [{ returnvalue: number }];
      expect(job.returnvalue).toBe(42);
    } finally {
      await worker.close();
      await queue.close();
      cache.disconnect();
      queueConn.disconnect();
    }
  });

  it('when the server certificate is not trusted, then the connection is refused', async () => {
    const client = createRedis(tlsTarget(), 'cache', logger);
    try {
      const [err] = (await once(client, 'error')) as [Error];
      expect(err.message).toMatch(/self[- ]signed|certificate/i);
    } finally {
      client.disconnect();
    }
  });
});
