import { LRUCache } from 'lru-cache';
import {
  createRazorpayClient,
  type RazorpayClient,
  type RazorpayClientOptions,
} from './razorpay.client.ts';

/** The API key pair of one Razorpay account. */
export interface RazorpayKeys {
  keyId: string;
  keySecret: string;
}

/** Options of {@link razorpayClientCache}: the clients' own, and how many key pairs to keep. */
export type RazorpayClientCacheOptions = Omit<RazorpayClientOptions, 'keyId' | 'keySecret'> & {
  /** Key pairs whose clients are kept (least recently used dropped first); default 1,000. */
  max?: number;
};

/**
 * One Razorpay client per key pair, reused for the life of the process (API and worker alike).
 * Building the SDK (its axios instance and every resource object) on each checkout and payment
 * check cost ≈ 2 % of an API process's CPU in a drop. Keyed by the secret as well, so rotated keys
 * get a new client at once and the old one ages out of the bounded cache.
 */
export function razorpayClientCache(
  options: RazorpayClientCacheOptions = {},
): (keys: RazorpayKeys) => RazorpayClient {
  const { max = 1_000, ...clientOptions } = options;
  const clients = new LRUCache<string, RazorpayClient>({ max });
  return (keys) => {
    const cacheKey = `${keys.keyId}\n${keys.keySecret}`;
    let client = clients.get(cacheKey);
    if (!client) {
      client = createRazorpayClient({
        ...clientOptions,
        keyId: keys.keyId,
        keySecret: keys.keySecret,
      });
      clients.set(cacheKey, client);
    }
    return client;
  };
}
