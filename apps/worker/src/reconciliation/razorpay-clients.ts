import { createRazorpayClient, type Config, type RazorpayClient } from '@storefront/shared';

/** A gateway account's API keys. */
export interface AccountKeys {
  keyId: string;
  keySecret: string;
}

/** Looks up the API keys of a gateway account (`platform` or a creator id). */
export type AccountKeysResolver = (account: string) => Promise<AccountKeys>;

/** Razorpay clients per gateway account, built on first use. */
export interface RazorpayClients {
  forAccount(account: string): Promise<RazorpayClient>;
  /** Drops a cached client, e.g. after Razorpay rejected its keys. */
  forget(account: string): void;
}

/** Builds and caches one client per account (for the lifetime of the returned object). */
export function createRazorpayClients(
  config: Config,
  resolve: AccountKeysResolver,
): RazorpayClients {
  const clients = new Map<string, Promise<RazorpayClient>>();
  return {
    forAccount(account) {
      let client = clients.get(account);
      if (!client) {
        client = resolve(account).then((keys) =>
          createRazorpayClient({
            keyId: keys.keyId,
            keySecret: keys.keySecret,
            baseUrl: config.RAZORPAY_API_BASE_URL,
            timeoutMs: config.RAZORPAY_TIMEOUT_MS,
          }),
        );
        // A failed lookup is not cached: the next order of the account tries again.
        client.catch(() => clients.delete(account));
        clients.set(account, client);
      }
      return client;
    },
    forget(account) {
      clients.delete(account);
    },
  };
}
