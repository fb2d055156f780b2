import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 14 random alphanumeric characters: the body of Razorpay ids and webhook event ids. */
export function randomId14(): string {
  const bytes = randomBytes(14);
  let id = '';
  // 256 % 62 leaves a slight bias; irrelevant for test ids.
  for (const byte of bytes) id += ALPHABET[byte % 62];
  return id;
}

/** `prefix_` + 14 alphanumerics, like `order_IluGWxBm9U8zJ8`. */
export function entityId(prefix: 'order' | 'pay' | 'card' | 'acc'): string {
  return `${prefix}_${randomId14()}`;
}

/** True when `id` looks like a Razorpay id with this prefix. */
export function isEntityId(id: string, prefix: string): boolean {
  return (
    id.length === prefix.length + 15 &&
    id.startsWith(`${prefix}_`) &&
    /^[A-Za-z0-9]+$/.test(id.slice(prefix.length + 1))
  );
}

/** Unix seconds, as Razorpay's `created_at`. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** ms since the epoch with sub-millisecond resolution. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
