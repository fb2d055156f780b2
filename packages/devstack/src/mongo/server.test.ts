import net from 'node:net';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { startMongoServer } from './server.ts';

function closedAfterSending(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

describe('startMongoServer', () => {
  it('when started without a port, then it listens on a free one and reports a mongodb:// URL', async () => {
    const a = await startMongoServer();
    const b = await startMongoServer();
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.url).toBe(`mongodb://127.0.0.1:${a.port}`);
      expect(a.host).toBe('127.0.0.1');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('when a malformed message arrives, then the logger is told and the connection is closed', async () => {
    const logs: string[] = [];
    const server = await startMongoServer({ logger: (m) => logs.push(m) });
    try {
      await closedAfterSending(server.port, Buffer.from([5, 0, 0, 0, 1, 2, 3, 4]));
      expect(logs.some((l) => l.includes('malformed message'))).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('when stopped, then open client connections are closed and the port is released', async () => {
    const server = await startMongoServer();
    const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 500 });
    await client.connect();
    await client.db('x').collection('y').insertOne({ a: 1 });
    await server.stop();
    await expect(client.db('x').command({ ping: 1 })).rejects.toThrow();
    await client.close();
    const again = await startMongoServer({ port: server.port });
    await again.stop();
  });

  it('when 50 clients connect at once, then every one is served', async () => {
    const server = await startMongoServer();
    const clients = Array.from(
      { length: 50 },
      () => new MongoClient(server.url, { maxPoolSize: 1 }),
    );
    try {
      await Promise.all(clients.map((c, i) => c.db('many').collection('c').insertOne({ i })));
      expect(await clients[0]?.db('many').collection('c').countDocuments()).toBe(50);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await server.stop();
    }
  });
});
