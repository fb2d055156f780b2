import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@storefront/devstack';
import { testConfig } from '@storefront/devstack/test-harness';
import { startCheckedApi } from '@storefront/test-support';
import { Http1Connection } from '@storefront/test-support/http1-connection';
import { socketsFor } from '../src/http/listen.ts';
import type { RunningApi } from '../src/server.ts';

// Node takes one new connection per listening socket per event-loop turn. The API listens on
// API_ACCEPT_SOCKETS sockets (SO_REUSEPORT) so that connections that arrived while a busy turn ran
// are taken several at a time. Measured here with the API in this process: its event loop is
// blocked while a client process opens CLIENTS connections, then the turns it takes to accept
// them are counted.

const CLIENTS = 200;
/** The longest the loop stays blocked waiting for the client to connect. */
const BLOCK_LIMIT_MS = 10_000;

// The client: on "go", opens CLIENTS connections at once and creates the flag file once all are
// connected (the kernel completes handshakes without the server), sends GET /healthz on each
// and prints the statuses when all have answered.
const CLIENT = `
const net = require('node:net');
const { writeFileSync } = require('node:fs');
const [port, n, flag] = process.argv.slice(1);
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  const statuses = [];
  let connected = 0;
  for (let i = 0; i < Number(n); i++) {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      if (++connected === Number(n)) writeFileSync(flag, '');
      s.write('GET /healthz HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n');
    });
    let head = '';
    s.on('data', (d) => { head += d; });
    s.on('close', () => {
      statuses.push(Number(head.slice(9, 12)) || 0);
      if (statuses.length === Number(n)) { process.stdout.write(JSON.stringify(statuses) + '\\n'); process.exit(0); }
    });
    s.on('error', () => undefined);
  }
});
`;

let api: RunningApi | undefined;
let flagDir: string | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
  if (flagDir) rmSync(flagDir, { recursive: true, force: true });
  flagDir = undefined;
});

/** Blocks the loop while CLIENTS connect, then counts the turns until all are accepted. */
async function turnsToAccept(sockets: number): Promise<{ turns: number; statuses: number[] }> {
  const port = await freePort();
  api = await startCheckedApi(
    testConfig({ API_PORT: String(port), API_ACCEPT_SOCKETS: String(sockets) }),
  );
  expect(api.acceptSockets).toBe(sockets);
  let accepted = 0;
  api.server.on('connection', () => accepted++);
  flagDir ??= mkdtempSync(join(tmpdir(), 'accept-'));
  const flag = join(flagDir, 'connected');
  rmSync(flag, { force: true });
  const client = spawn(process.execPath, ['-e', CLIENT, String(port), String(CLIENTS), flag], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  client.stdout.setEncoding('utf8');
  client.stdout.on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  while (!lines.includes('ready')) await once(client.stdout, 'data');
  client.stdin.write('go\n');
  // One long turn: the client connects meanwhile (the kernel completes the handshakes and queues
  // them for accept) and says so with the flag file.
  const until = Date.now() + BLOCK_LIMIT_MS;
  while (!existsSync(flag) && Date.now() < until);
  expect(existsSync(flag)).toBe(true);
  let turns = 0;
  while (accepted < CLIENTS && turns < 10 * CLIENTS) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    turns++;
  }
  const [code] = (await once(client, 'exit')) as [number | null];
  expect(code).toBe(0);
  return { turns, statuses: JSON.parse(lines.at(-1) ?? '[]') as number[] };
}

/**
 * Scrapes /metrics on a connection of its own, closed by the server before this returns; returns
 * `http_open_connections` and the text.
 */
async function openConnectionsGauge(port: number): Promise<{ value: number; text: string }> {
  let closed: () => void = () => undefined;
  const gone = new Promise<void>((resolve) => (closed = resolve));
  const connection = new Http1Connection({
    host: '127.0.0.1',
    port,
    headerLines: 'Host: t\r\nConnection: close\r\n',
    connectTimeoutMs: 5_000,
    responseTimeoutMs: 5_000,
    onOpen: () => undefined,
    onClose: closed,
  });
  const reply = await connection.get('/metrics');
  await gone;
  expect(reply.status).toBe(200);
  const text = reply.body.toString('utf8');
  const value = /^http_open_connections\{[^}]*\} (\d+)$/m.exec(text)?.[1];
  if (value === undefined) throw new Error('http_open_connections is not exported');
  return { value: Number(value), text };
}

describe('open connections in the metrics', () => {
  it.each([1, 4])(
    'when connections are opened and closed on %i listening socket(s), then http_open_connections follows them, and no metric lists every handle on a scrape',
    async (sockets) => {
      const port = await freePort();
      api = await startCheckedApi(
        testConfig({ API_PORT: String(port), API_ACCEPT_SOCKETS: String(sockets) }),
      );
      const CONNECTIONS = 40;
      const serverSide: net.Socket[] = [];
      api.server.on('connection', (s: net.Socket) => serverSide.push(s));
      const before = await openConnectionsGauge(port);
      const clients = Array.from({ length: CONNECTIONS }, () => net.connect(port, '127.0.0.1'));
      while (serverSide.length < CONNECTIONS + 1) await once(api.server, 'connection');
      const open = await openConnectionsGauge(port);
      const accepted = serverSide.slice(1);
      for (const c of clients) c.destroy();
      await Promise.all(accepted.filter((s) => !s.closed).map((s) => once(s, 'close')));
      const after = await openConnectionsGauge(port);

      // Each scrape counts its own connection.
      expect(before.value).toBe(1);
      expect(open.value).toBe(CONNECTIONS + 1);
      expect(after.value).toBe(1);
      for (const name of ['process_open_fds', 'nodejs_active_handles', 'nodejs_active_resources']) {
        expect(open.text).not.toMatch(new RegExp(`^${name}[{ ]`, 'm'));
      }
      expect(open.text).toMatch(/^process_max_fds[{ ]/m);
    },
  );
});

describe('listening sockets per API process (API_ACCEPT_SOCKETS)', () => {
  it('when several sockets are asked for, then only Linux with a fixed port gets them', () => {
    expect(socketsFor(16, 8080, 'linux')).toBe(16);
    expect(socketsFor(16, 0, 'linux')).toBe(1);
    expect(socketsFor(16, 8080, 'darwin')).toBe(1);
    expect(socketsFor(1, 8080, 'linux')).toBe(1);
  });

  it.runIf(process.platform === 'linux')(
    `when ${CLIENTS} connections arrive during a long turn, then 8 sockets take them in a fraction of the turns one socket needs, and every request is answered`,
    async () => {
      const one = await turnsToAccept(1);
      await api?.close();
      api = undefined;
      const eight = await turnsToAccept(8);
      // One socket: one connection per turn.
      expect(one.turns).toBeGreaterThanOrEqual(CLIENTS - 5);
      // Eight: the kernel spreads the connections over the sockets (unevenly), each turn takes
      // one from each socket that has any.
      expect(eight.turns).toBeLessThan(CLIENTS / 3);
      for (const run of [one, eight]) {
        expect(run.statuses).toHaveLength(CLIENTS);
        expect(run.statuses.every((s) => s === 200)).toBe(true);
      }
    },
  );

  it.runIf(process.platform === 'linux')(
    'when a second API starts on the port, then it fails as with one socket; when the API stops, then every socket stops accepting',
    async () => {
      const port = await freePort();
      const config = testConfig({ API_PORT: String(port), API_ACCEPT_SOCKETS: '4' });
      api = await startCheckedApi(config);
      const res = await fetch(`${api.url}/healthz`);
      expect(res.status).toBe(200);
      await expect(startCheckedApi(config)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await api.close();
      api = undefined;
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    },
  );
});
