import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { LRUCache } from 'lru-cache';

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

// Longer forwarding chains are rare and not worth memory.
const MAX_MEMO_KEY = 200;

/**
 * `clientKey` memoized by what it reads: the socket peer and the X-Forwarded-For header (the
 * `trust proxy` setting is fixed per app, so use one memo per app). Behind a trusted proxy,
 * resolving the address costs an IP parse per hop on every request; shoppers repeat.
 */
export function memoizedClientKey(max = 20_000): (req: Request) => string {
  const memo = new LRUCache<string, string>({ max });
  return (req) => {
    const xff = req.headers['x-forwarded-for'];
    const hops = typeof xff === 'string' ? xff : (xff?.join(',') ?? '');
    const id = `${req.socket.remoteAddress ?? ''}|${hops}`;
    if (id.length > MAX_MEMO_KEY) return clientKey(req);
    let key = memo.get(id);
    if (key === undefined) {
      key = clientKey(req);
      memo.set(id, key);
    }
    return key;
  };
}
