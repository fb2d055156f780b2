import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

// A port picked here is bound by its user a moment later (a child process starting: a second
// or more). A port from the kernel's ephemeral range is free to the kernel in between, and any
// outgoing connection on the machine (a parallel test's client, a connection pool) can be given
// it as its source port; the listen then fails with EADDRINUSE. So ports are picked below that
// range, where the kernel never hands out a port on its own, and checked free by binding.

/** Lowest port picked (above the registered services most machines run). */
const LOWEST = 10_000;
/** Attempts at a random port before falling back to one the kernel chooses. */
const ATTEMPTS = 50;

/** The kernel's ephemeral port range (Linux's default where it cannot be read). */
export function ephemeralPortRange(
  read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'),
): [number, number] {
  try {
    const [low = NaN, high = NaN] = read().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 1024 && high >= low) {
      return [low, high];
    }
  } catch {
    // Not Linux: fall through.
  }
  return [32_768, 60_999];
}

function listenOnce(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(undefined);
      else reject(err);
    });
    srv.listen({ port, host, exclusive: true }, () => {
      const { port: bound } = srv.address() as AddressInfo;
      srv.close(() => resolve(bound));
    });
  });
}

/** A TCP port that was free on `host` a moment ago, outside the ephemeral range where it can. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [low] = ephemeralPortRange();
  if (low - LOWEST >= 1_000) {
    for (let i = 0; i < ATTEMPTS; i++) {
      const port = await listenOnce(LOWEST + randomInt(low - LOWEST), host);
      if (port !== undefined) return port;
    }
  }
  return (await listenOnce(0, host)) as number;
}

/**
 * `count` different ports, each free on `host` a moment ago. For ports picked before any of them
 * is bound: freePort alone can hand out the same port twice in that window.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}
