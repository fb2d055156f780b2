import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer } from '@storefront/devstack';
import { testConfig } from '@storefront/devstack/test-harness';
import { startCheckedApi } from '@storefront/test-support';
import type { RunningApi } from '../src/server.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('API foundation over HTTP', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startCheckedApi(testConfig());
  });
  afterAll(async () => {
    await api.close();
  });

  it('when /healthz is called, then the process answers ok', async () => {
    const res = await fetch(`${api.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('when MongoDB and Redis are reachable, then /readyz is 200', async () => {
    const res = await fetch(`${api.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ready',
      checks: { mongo: true, redis: true },
    });
  });

  it('when /metrics is scraped, then it serves Prometheus text with pool and HTTP metrics', async () => {
    await fetch(`${api.url}/healthz`);
    const res = await fetch(`${api.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('mongodb_pool_checked_out');
    expect(text).toContain('mongodb_pool_wait_queue');
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/healthz"/);
  });

  it('when a route does not exist, then the answer is a 404 JSON error', async () => {
    const res = await fetch(`${api.url}/nope/${'x'.repeat(10)}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('when a JSON body is malformed, then the answer is a 400 JSON error, never HTML', async () => {
    const res = await fetch(`${api.url}/api/v1/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
  });

  it('when a body is not JSON, then the answer is 415 JSON', async () => {
    const res = await fetch(`${api.url}/api/v1/anything`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('when a JSON body is over the limit, then the answer is 413 JSON', async () => {
    const res = await fetch(`${api.url}/api/v1/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 'y'.repeat(200_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });
});

describe('API readiness', () => {
  it('when Redis goes away, then /readyz answers 503 while /healthz stays 200', async () => {
    const redis = await startRedisServer();
    const api = await startCheckedApi(testConfig({ REDIS_URL: redis.url }));
    try {
      expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
      await redis.stop();
      const res = await fetch(`${api.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ checks: { redis: false, mongo: true } });
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    } finally {
      await api.close();
      await redis.stop();
    }
  });
});

// Spawning a process loads every module from source: allow for a slow, shared machine.
describe('API process', { timeout: 120_000 }, () => {
  function envFor(overrides: Record<string, string>): NodeJS.ProcessEnv {
    const c = testConfig();
    return {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      MONGO_URL: c.MONGO_URL,
      REDIS_URL: c.REDIS_URL,
      API_HOST: '127.0.0.1',
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '30000',
      ...overrides,
    };
  }

  it('when a variable is invalid, then start-up fails with a message naming it', async () => {
    const child = spawn(process.execPath, ['apps/api/src/main.ts'], {
      cwd: root,
      env: envFor({ API_PORT: 'not-a-port' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(78);
    expect(stderr).toContain('API_PORT');
    expect(stderr).toContain('not-a-port');
  });

  it('when SIGTERM arrives during a slow request, then the request completes and the process exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['apps/api/src/main.ts'], {
      cwd: root,
      env: envFor({ API_PORT: String(port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    try {
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Ready when the process logs that it listens.
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('api listening')) resolve();
        });
        child.once('exit', () => reject(new Error(`api exited early: ${out}${stderr}`)));
      });
      // A request whose body is still arriving is in flight; SIGTERM must not cut it.
      const socket = net.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      const body = JSON.stringify({ slow: true });
      // `Expect: 100-continue` makes the server say when it has read the request head, so the
      // signal provably arrives while the request is in flight.
      let response = '';
      const headRead = new Promise<void>((resolve) => {
        socket.on('data', (d: Buffer) => {
          response += d.toString();
          if (response.includes('100 Continue')) resolve();
        });
      });
      socket.write(
        `POST /api/v1/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      await headRead;
      socket.write(body.slice(0, 5));
      const closed = once(socket, 'close');
      child.kill('SIGTERM');
      // The server must stay up for the in-flight request while it drains.
      await new Promise((r) => setTimeout(r, 300));
      expect(child.exitCode).toBeNull();
      socket.write(body.slice(5));
      await closed;
      expect(response).toMatch(/HTTP\/1\.1 404 /);
      expect(response).toContain('"NOT_FOUND"');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
