import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Connection, type ConnectionOptions } from './http1-connection.ts';

// The load generator's connection against real loopback servers.
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        if (server instanceof http.Server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

function connection(port: number, extra: Partial<ConnectionOptions> = {}) {
  const events = { opened: 0, closed: 0 };
  const conn = new Http1Connection({
    host: '127.0.0.1',
    port,
    headerLines: `Host: 127.0.0.1:${port}\r\nX-Forwarded-For: 198.18.0.7\r\n`,
    connectTimeoutMs: 1_000,
    responseTimeoutMs: 1_000,
    onOpen: () => events.opened++,
    onClose: () => events.closed++,
    ...extra,
  });
  closers.push(() => {
    conn.close();
    return Promise.resolve();
  });
  return { conn, events };
}

/** A raw TCP server that answers each request with `reply(n)` (n counts requests from 1). */
async function rawServer(reply: (n: number, socket: net.Socket) => void): Promise<number> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', () => reply(++n, socket));
  });
  closers.push(() => {
    for (const s of sockets) s.destroy();
    return Promise.resolve();
  });
  return listen(server);
}

describe('Http1Connection', () => {
  it('when two GETs are made, then they share one keep-alive connection and carry the VU headers', async () => {
    const seen: Array<{ url?: string; xff?: string; host?: string }> = [];
    const port = await listen(
      http.createServer((req, res) => {
        seen.push({
          url: req.url,
          xff: req.headers['x-forwarded-for'] as string,
          host: req.headers.host,
        });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ path: req.url }));
      }),
    );
    const { conn, events } = connection(port);
    const a = await conn.get('/api/v1/store/alpha');
    const b = await conn.get('/api/v1/store/beta');
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body.toString())).toEqual({ path: '/api/v1/store/alpha' });
    expect(JSON.parse(b.body.toString())).toEqual({ path: '/api/v1/store/beta' });
    expect(events.opened).toBe(1);
    expect(seen).toEqual([
      { url: '/api/v1/store/alpha', xff: '198.18.0.7', host: `127.0.0.1:${port}` },
      { url: '/api/v1/store/beta', xff: '198.18.0.7', host: `127.0.0.1:${port}` },
    ]);
  });

  it('when a POST carries a UTF-8 body, then the server reads it whole on the same connection as a GET', async () => {
    const seen: Array<{ method?: string; auth?: string; type?: string; body: string }> = [];
    const port = await listen(
      http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          seen.push({
            method: req.method,
            auth: req.headers.authorization,
            type: req.headers['content-type'],
            body: Buffer.concat(chunks).toString('utf8'),
          });
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ n: seen.length }));
        });
      }),
    );
    const { conn, events } = connection(port);
    const body = JSON.stringify({ email: 'bühne@example.test', name: 'Ünïcode ₹' });
    const posted = await conn.request('POST', '/checkout', {
      headerLines: 'Content-Type: application/json\r\nAuthorization: Bearer t0k\r\n',
      body,
    });
    const got = await conn.get('/status');
    expect(JSON.parse(posted.body.toString())).toEqual({ n: 1 });
    expect(JSON.parse(got.body.toString())).toEqual({ n: 2 });
    expect(events.opened).toBe(1);
    expect(seen).toEqual([
      { method: 'POST', auth: 'Bearer t0k', type: 'application/json', body },
      { method: 'GET', auth: undefined, type: undefined, body: '' },
    ]);
  });

  it('when a response arrives in pieces, then it is assembled by its Content-Length', async () => {
    const body = 'x'.repeat(5000);
    const port = await rawServer((_n, socket) => {
      const head = `HTTP/1.1 404 Not Found\r\ncontent-length: ${body.length}\r\n\r\n`;
      socket.write(head.slice(0, 10));
      setImmediate(() => {
        socket.write(head.slice(10) + body.slice(0, 100));
        setImmediate(() => socket.write(body.slice(100)));
      });
    });
    const { conn } = connection(port);
    const r = await conn.get('/x');
    expect(r.status).toBe(404);
    expect(r.body.toString()).toBe(body);
  });

  it('when the server answers chunked, then the request fails as malformed', async () => {
    const port = await listen(
      http.createServer((_req, res) => {
        res.write('part one');
        res.end('part two');
      }),
    );
    const { conn } = connection(port);
    await expect(conn.get('/x')).rejects.toThrow(/malformed response: chunked/);
  });

  it('when the server closes an idle connection, then the next GET reconnects', async () => {
    const port = await rawServer((n, socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n${n}!`);
    });
    const { conn, events } = connection(port);
    expect((await conn.get('/a')).body.toString()).toBe('1!');
    await expect.poll(() => events.closed).toBe(1);
    expect((await conn.get('/b')).body.toString()).toBe('2!');
    expect(events.opened).toBe(2);
  });

  it('when the server never answers, then the timeout sweep fails the request', async () => {
    const port = await rawServer(() => undefined);
    const { conn, events } = connection(port, { responseTimeoutMs: 50 });
    const pending = conn.get('/slow');
    await expect.poll(() => events.opened).toBe(1);
    conn.checkTimeout(performance.now()); // not yet past the limit
    conn.checkTimeout(performance.now() + 60);
    await expect(pending).rejects.toThrow('response timeout');
  });

  it('when nothing listens, then the GET fails with the connection error', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { conn, events } = connection(port);
    await expect(conn.get('/x')).rejects.toThrow(/ECONNREFUSED/);
    expect(events.opened).toBe(0);
  });
});
