import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv4 } from 'node:net';

// Loopback and private ranges: where Prometheus, the load test and sidecars scrape from.
const internal = new BlockList();
internal.addSubnet('127.0.0.0', 8, 'ipv4');
internal.addSubnet('10.0.0.0', 8, 'ipv4');
internal.addSubnet('172.16.0.0', 12, 'ipv4');
internal.addSubnet('192.168.0.0', 16, 'ipv4');
internal.addSubnet('169.254.0.0', 16, 'ipv4');
internal.addAddress('::1', 'ipv6');
internal.addSubnet('fc00::', 7, 'ipv6');
internal.addSubnet('fe80::', 10, 'ipv6');

/** True for loopback, RFC 1918, link-local and IPv6 unique-local addresses (IPv4-mapped too). */
export function isInternalAddress(address: string | undefined): boolean {
  if (!address) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return internal.check(mapped, 'ipv4');
  return internal.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Who may read `/metrics` (the API's and the worker's): anyone with
 * `Authorization: Bearer <METRICS_TOKEN>`, or without credentials a directly connected internal
 * address. The socket peer is used, never X-Forwarded-For, and a request carrying forwarding
 * headers does not count as internal: behind a load balancer every public request arrives from
 * a private address, with those headers. A wrong token is refused even from inside.
 */
export function metricsAccessCheck(
  metricsToken: string | undefined,
): (req: IncomingMessage) => boolean {
  const expected = metricsToken === undefined ? undefined : digest(metricsToken);
  return (req) => {
    const auth = req.headers.authorization;
    if (expected !== undefined && auth !== undefined && /^Bearer /i.test(auth)) {
      return timingSafeEqual(digest(auth.slice(7).trim()), expected);
    }
    const forwarded =
      req.headers['x-forwarded-for'] !== undefined ||
      req.headers.forwarded !== undefined ||
      req.headers['x-real-ip'] !== undefined;
    return !forwarded && isInternalAddress(req.socket.remoteAddress);
  };
}
