import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@storefront/devstack';
import { testConfig } from '@storefront/devstack/test-harness';
import { startWorker, type RunningWorker } from '../src/worker.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const TOKEN = 'worker-metrics-token-0123456789';

describe('worker health server', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker(testConfig({ METRICS_TOKEN: TOKEN }));
  });
  afterAll(async () => {
    await worker.close();
  });

  it('when /healthz and /readyz are called, then both answer 200', async () => {
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${worker.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { mongo: true, redis: true } });
  });

  it('when /metrics is scraped, then it serves Prometheus text', async () => {
    const res = await fetch(`${worker.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('process_resident_memory_bytes');
  });

  it('when /metrics is asked through a proxy or with a wrong token, then it answers 403 and no metrics', async () => {
    for (const headers of [
      { 'X-Forwarded-For': '203.0.113.9' },
      { Forwarded: 'for=203.0.113.9' },
      { Authorization: 'Bearer not-the-token-at-all' },
    ]) {
      const res = await fetch(`${worker.url}/metrics`, { headers });
      expect(res.status).toBe(403);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(body).not.toContain('process_resident_memory_bytes');
    }
    const withToken = await fetch(`${worker.url}/metrics`, {
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Forwarded-For': '203.0.113.9' },
    });
    expect(withToken.status).toBe(200);
  });

  it('when an unknown path is called, then it answers 404 JSON', async () => {
    const res = await fetch(`${worker.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

// Spawning a process loads every module from source: allow for a slow, shared machine.
describe('worker process', { timeout: 120_000 }, () => {
  it('when SIGTERM arrives, then the worker stops cleanly with exit code 0', async () => {
    const c = testConfig();
    const port = await freePort();
    const child = spawn(process.execPath, ['apps/worker/src/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        MONGO_URL: c.MONGO_URL,
        REDIS_URL: c.REDIS_URL,
        QUEUE_PREFIX: c.QUEUE_PREFIX,
        WORKER_HOST: '127.0.0.1',
        WORKER_HEALTH_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('worker started')) resolve();
        });
        child.once('exit', () => reject(new Error(`worker exited early: ${out}`)));
      });
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
