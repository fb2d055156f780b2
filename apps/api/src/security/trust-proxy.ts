import { isIP } from 'node:net';

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Turns TRUST_PROXY into Express's `trust proxy` value. Only explicit settings are accepted:
 * `false` (the socket peer is the client, X-Forwarded-For is ignored), a hop count, or a list of
 * proxy addresses/CIDRs/named ranges. `true` would let any client choose its own address, so
 * it is refused.
 */
export function parseTrustProxy(value: string): false | number | string[] {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') {
    throw new Error(
      'TRUST_PROXY=true trusts every client-supplied X-Forwarded-For; name the proxies or a hop count',
    );
  }
  if (/^\d+$/.test(v)) return Number(v);
  const entries = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const entry of entries) {
    const [addr, bits, extra] = entry.split('/');
    const ok =
      NAMED_RANGES.has(entry) ||
      (addr !== undefined &&
        isIP(addr) !== 0 &&
        extra === undefined &&
        (bits === undefined || /^\d{1,3}$/.test(bits)));
    if (!ok) throw new Error(`TRUST_PROXY: not an address, CIDR or named range: ${entry}`);
  }
  return entries;
}
