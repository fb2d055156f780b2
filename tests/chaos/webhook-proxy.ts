import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny round-robin HTTP proxy: the load balancer the sandbox's webhooks go through. */
export interface RoundRobinProxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * Forwards each request to the next of `targets` (base URLs), path and headers unchanged, so
 * copies of one webhook land on different API processes. A target that cannot be reached is
 * answered 502, as a load balancer would; the sandbox then retries.
 */
export async function startRoundRobinProxy(targets: string[]): Promise<RoundRobinProxy> {
  if (targets.length === 0) throw new Error('no proxy targets');
  const upstreams = targets.map((t) => new URL(t));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  let next = 0;

  const server = http.createServer((req, res) => {
    const i = next;
    next = (next + 1) % upstreams.length;
    const target = upstreams[i] as URL;
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy(err);
        return;
      }
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: err.message } }));
    });
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
