import {
  razorpayClientCache,
  type Config,
  type RazorpayClient,
  type RazorpayKeys,
} from '@storefront/shared';

/** Where the worker finds a gateway account's current keys (the credential store in production). */
export interface AccountKeysSource {
  /** The keys of `account` (`platform` or a creator id), possibly cached for a short while. */
  resolve(account: string): Promise<RazorpayKeys>;
  /** Drops a cached lookup of `account`, so the next one reads the stored keys. */
  forget(account: string): void;
}

/** Razorpay clients per gateway account, for the life of the worker process. */
export interface RazorpayClients {
  forAccount(account: string): Promise<RazorpayClient>;
  /** After Razorpay rejected the account's keys: the next call reads them again (rotated keys). */
  forget(account: string): void;
}

/**
 * The account's current keys, then the process's client for that key pair (shared
 * `razorpayClientCache`, as the API's): a creator who rotates their keys gets a new client as
 * soon as the worker's credential lookup sees the new ones.
 */
export function createRazorpayClients(config: Config, keys: AccountKeysSource): RazorpayClients {
  const clientFor = razorpayClientCache({
    baseUrl: config.RAZORPAY_API_BASE_URL,
    timeoutMs: config.RAZORPAY_TIMEOUT_MS,
  });
  return {
    forAccount: async (account) => clientFor(await keys.resolve(account)),
    forget: (account) => keys.forget(account),
  };
}
