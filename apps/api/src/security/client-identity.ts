import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';

/**
 * The rate-limit identity of the client: its address as Express derives it under the configured
 * `trust proxy` (so X-Forwarded-For counts only when sent by a trusted proxy), with IPv6
 * addresses grouped by /56, since one subscriber usually holds a whole prefix.
 */
export function clientKey(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress;
  if (!ip) return 'unknown';
  // An IPv4 address is its own key; only IPv6 (it has colons) needs grouping or unmapping.
  return ip.includes(':') ? ipKeyGenerator(ip, 56) : ip;
}
