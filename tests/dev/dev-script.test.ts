// `make dev` (scripts/dev.ts) run for real: stand-ins, API and worker as child processes, with a
// temp HOME/TMPDIR of its own so anything it leaves behind can be seen.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, type RequestLogEntry } from '@storefront/devstack';
import { MongoClient } from 'mongodb';
import {
  checkout,
  type CheckoutResponse,
  injectSandboxFault,
  payInSandbox,
} from '@storefront/test-support';
import { generateDevCert } from '../../scripts/gen-dev-cert.ts';
import { isAlive, isListening, startDev, type DevProcess } from './dev-process.ts';

// Start-up runs the API and the worker from source on a shared 2-core machine: be generous.
const STARTUP_MS = 120_000;
const TEST_MS = 180_000;

let tmp: string;
let dev: DevProcess | undefined;
let ports: { api: number; worker: number };

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'storefront-devtest-'));
  ports = { api: await freePort(), worker: await freePort() };
});
afterEach(async () => {
  // Only does something when a test failed before dev.ts stopped on its own.
  dev?.kill();
  await dev?.exited;
  dev = undefined;
  rmSync(tmp, { recursive: true, force: true });
});

/** A clean environment: nothing from the test runner (NODE_ENV=test, its MONGO_URL, …) leaks in. */
function devEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tmp,
    TMPDIR: tmp,
    ...(process.env.REDIS_SERVER_BIN ? { REDIS_SERVER_BIN: process.env.REDIS_SERVER_BIN } : {}),
    API_PORT: String(ports.api),
    WORKER_HEALTH_PORT: String(ports.worker),
    ...extra,
  };
}

/** The value printed after `label` in dev.ts's `[dev]   label   value` ready block. */
function printed(d: DevProcess, label: string): string {
  const line = d.lines.find((l) => l.startsWith(`[dev]   ${label} `));
  const value = line?.slice(`[dev]   ${label}`.length).trim().split(/\s+/)[0];
  if (value === undefined) throw new Error(`dev.ts printed no '${label}' line`);
  return value;
}

/** Ctrl-C as a terminal sends it; returns the pids of everything dev.ts had started by then. */
function interrupt(d: DevProcess): number[] {
  const pids = d.descendants();
  d.interrupt();
  return pids;
}

/** After Ctrl-C: exit 0, `[dev] stopped`, and no process, port or temp folder left behind. */
async function expectStoppedCleanly(d: DevProcess, pids: number[]): Promise<void> {
  const { code, signal } = await d.exited;
  const output = d.lines.join('\n');
  expect({ code, signal }, output).toEqual({ code: 0, signal: null });
  expect(d.lines).toContain('[dev] stopped');
  expect(output).not.toMatch(/not ready after/);
  expect(output).not.toMatch(/exited unexpectedly/);
  expect(pids.filter(isAlive)).toEqual([]);
  const standIns = d.lines.flatMap((l) => /^\[dev\] \S.*:(\d+)$/.exec(l)?.[1] ?? []).map(Number);
  for (const port of [ports.api, ports.worker, ...standIns]) {
    expect(await isListening(port), `port ${port}`).toBe(false);
  }
  expect(readdirSync(tmp).filter((n) => /^storefront-(redis|s3)-/.test(n))).toEqual([]);
}

describe('make dev', () => {
  it(
    'when TLS_CERT_FILE and TLS_KEY_FILE are set, then it becomes ready with https:// URLs and the sandbox delivers webhooks to the API over HTTPS',
    async () => {
      const { certFile, keyFile } = generateDevCert(join(tmp, 'certs'));
      const ca = readFileSync(certFile, 'utf8');
      dev = startDev(devEnv({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile }));
      await dev.waitForLine(/^\[dev\] Ctrl-C stops everything\.$/, STARTUP_MS);

      const apiUrl = printed(dev, 'API');
      expect(apiUrl).toBe(`https://127.0.0.1:${ports.api}`);
      for (const label of ['demo storefront', 'API metrics', 'Bull Board']) {
        expect(printed(dev, label)).toMatch(/^https:\/\//);
      }
      const agent = new Agent({ connect: { ca } });
      const call = async <T>(
        path: string,
        init: { body?: unknown; token?: string } = {},
      ): Promise<{ status: number; body: T }> => {
        const res = await request(`${apiUrl}${path}`, {
          dispatcher: agent,
          method: init.body === undefined ? 'GET' : 'POST',
          headers: {
            'content-type': 'application/json',
            ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
          },
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        });
        return { status: res.statusCode, body: (await res.body.json()) as T };
      };
      try {
        expect((await call('/readyz')).status).toBe(200);
        // The demo page's printed URL serves the server-rendered page over HTTPS.
        const pageUrl = printed(dev, 'demo storefront');
        expect(pageUrl).toBe(`${apiUrl}/demo`);
        const pageRes = await request(pageUrl, { dispatcher: agent });
        expect(pageRes.statusCode).toBe(200);
        expect(pageRes.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(await pageRes.body.text()).toContain('<h1>');
        const store = await call<{ products: Array<{ id: string }> }>('/api/v1/store/demo');
        const productId = store.body.products[0]?.id;
        const checkout = await call<CheckoutResponse>(
          `/api/v1/store/demo/products/${productId}/checkout`,
          { body: { email: 'buyer@example.test' } },
        );
        expect(checkout.status).toBe(201);
        expect(checkout.body.statusUrl).toMatch(/^https:\/\//);

        // The sandbox answers once every webhook of the payment was delivered or gave up.
        const sandboxUrl = printed(dev, 'Razorpay sandbox');
        const paid = await payInSandbox(sandboxUrl, checkout.body.razorpay.orderId);
        const webhookUrl = `${apiUrl}/api/v1/webhooks/razorpay/platform`;
        expect(paid.deliveries.length).toBeGreaterThan(0);
        for (const delivery of paid.deliveries) {
          expect(delivery).toMatchObject({ url: webhookUrl, status: 'delivered', statusCode: 200 });
        }
        // The worker applies the webhook from the inbox; the order page is the only signal.
        const { orderId, accessToken } = checkout.body;
        await expect
          .poll(
            async () =>
              (await call<{ status: string }>(`/api/v1/orders/${orderId}`, { token: accessToken }))
                .body.status,
            { timeout: 30_000, interval: 100 },
          )
          .toBe('paid');
      } finally {
        await agent.close();
      }

      await expectStoppedCleanly(dev, interrupt(dev));
    },
    TEST_MS,
  );

  it(
    'when DEV_REDIS=cluster, then it runs on a local Redis Cluster, becomes ready, and Ctrl-C leaves nothing behind',
    async () => {
      dev = startDev(devEnv({ DEV_REDIS: 'cluster' }));
      const line = await dev.waitForLine(/^\[dev\] Redis Cluster /, STARTUP_MS);
      expect(line.split(' ').at(-1)?.split(',')).toHaveLength(6);
      await dev.waitForLine(/^\[dev\] Ctrl-C stops everything\.$/, STARTUP_MS);
      expect((await fetch(`http://127.0.0.1:${ports.api}/readyz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports.api}/api/v1/store/demo`)).status).toBe(200);
      await expectStoppedCleanly(dev, interrupt(dev));
    },
    TEST_MS,
  );

  it(
    'when Ctrl-C arrives as soon as the first stand-in is up, then it stops as after start-up: exit 0, "[dev] stopped", nothing left',
    async () => {
      dev = startDev(devEnv());
      await dev.waitForLine(/^\[dev\] redis-server /, STARTUP_MS);
      await expectStoppedCleanly(dev, interrupt(dev));
    },
    TEST_MS,
  );

  it(
    'when Ctrl-C arrives while the API serves a request but is not ready yet, then the request is answered and everything stops cleanly',
    async () => {
      dev = startDev(devEnv());
      // Readiness is held back (MongoDB pings fail) so the start-up is still waiting when Ctrl-C
      // comes; the in-repo MongoDB applies the failpoint as mongod does.
      const mongoUrl = (await dev.waitForLine(/^\[dev\] MongoDB /, STARTUP_MS)).split(' ').at(-1);
      const mongo = await MongoClient.connect(String(mongoUrl), { directConnection: true });
      try {
        await mongo.db('admin').command({
          configureFailPoint: 'failCommand',
          mode: 'alwaysOn',
          data: { failCommands: ['ping'], errorCode: 1 },
        });
      } finally {
        await mongo.close();
      }
      const sandboxUrl = (await dev.waitForLine(/^\[dev\] Razorpay sandbox /, STARTUP_MS))
        .split(' ')
        .at(-1);
      await dev.waitForLine(/^\[api\] .*"message":"api listening"/, STARTUP_MS);
      const apiUrl = `http://127.0.0.1:${ports.api}`;

      // A checkout whose Razorpay call takes 3 s: in flight in the API when Ctrl-C arrives.
      await injectSandboxFault(String(sandboxUrl), { latencyMs: 3_000, paths: ['/v1/orders'] });
      const store = (await (await fetch(`${apiUrl}/api/v1/store/demo`)).json()) as {
        products: Array<{ id: string }>;
      };
      const pending = checkout(apiUrl, 'demo', String(store.products[0]?.id));
      await expect
        .poll(async () => {
          const res = await fetch(`${sandboxUrl}/_sandbox/requests`);
          const { items } = (await res.json()) as { items: RequestLogEntry[] };
          return items.some((r) => r.path === '/v1/orders' && r.status === 0);
        })
        .toBe(true);

      expect(dev.lines).not.toContain('[dev] ready:');
      const pids = interrupt(dev);
      expect((await pending).status).toBe(201);
      await expectStoppedCleanly(dev, pids);
    },
    TEST_MS,
  );
});
