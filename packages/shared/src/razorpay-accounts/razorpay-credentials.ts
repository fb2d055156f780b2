import type { Config } from '../config/env.schema.ts';
import type { FieldCipher } from '../crypto/field-encryption.ts';
import { isObjectIdString } from '../db/object-id.ts';
import { NotFoundError } from '../errors/app-error.ts';
import type { RazorpayAccountRepository } from './razorpay-account.repository.ts';
import { decryptRazorpaySecrets } from './razorpay-secrets.ts';

/** The account name of the platform's own Razorpay account (config RAZORPAY_*). */
export const PLATFORM_ACCOUNT = 'platform';

/** Everything needed to talk to one Razorpay account and verify its webhooks. */
export interface RazorpayCredentials {
  /** `platform` or the creator id whose own account these are. */
  account: string;
  keyId: string;
  keySecret: string;
  webhookSecret: string;
}

/** What {@link RazorpayCredentialStore} reads from. */
export interface RazorpayCredentialsDeps {
  accounts: RazorpayAccountRepository;
  config: Pick<Config, 'RAZORPAY_KEY_ID' | 'RAZORPAY_KEY_SECRET' | 'RAZORPAY_WEBHOOK_SECRET'>;
  cipher: FieldCipher;
}

// Webhooks verify on every call, so decrypted credentials are kept briefly per process. A change
// made through the API clears this process's entry at once; other processes see it within the TTL.
const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 1_000;

interface CacheEntry {
  expiresAt: number;
  value: Promise<RazorpayCredentials>;
}

/**
 * Resolves which Razorpay account (and decrypted credentials) to use for an account name, with a
 * short per-process cache. One per process, built by its composition root.
 */
export class RazorpayCredentialStore {
  private readonly deps: RazorpayCredentialsDeps;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(deps: RazorpayCredentialsDeps) {
    this.deps = deps;
  }

  /**
   * Credentials of `account`: `platform`, or a creator id (that creator's decrypted credentials;
   * a creator without credentials uses the platform account, and the result's `account` says so).
   * Concurrent lookups of one account share one query. Throws NotFoundError for a malformed
   * account, FieldDecryptionError when stored secrets cannot be decrypted (never garbage), and
   * database errors as they are.
   */
  async resolve(account: string): Promise<RazorpayCredentials> {
    if (account === PLATFORM_ACCOUNT) return platformCredentials(this.deps.config);
    if (!isObjectIdString(account)) throw new NotFoundError('Unknown payment account');
    const creatorId = account.toLowerCase();
    const cache = this.cache;
    const now = Date.now();
    const hit = cache.get(creatorId);
    if (hit && hit.expiresAt > now) return hit.value;

    const value = this.load(creatorId);
    if (cache.size >= CACHE_MAX_ENTRIES) evict(cache, now);
    cache.set(creatorId, { expiresAt: now + CACHE_TTL_MS, value });
    // Failures are not cached: the next call tries again.
    value.catch(() => {
      if (cache.get(creatorId)?.value === value) cache.delete(creatorId);
    });
    return value;
  }

  /** Drops this process's cached credentials of `account` (after a connect or disconnect). */
  forget(account: string): void {
    this.cache.delete(account.toLowerCase());
  }

  private async load(creatorId: string): Promise<RazorpayCredentials> {
    const stored = await this.deps.accounts.find(creatorId);
    if (!stored) return platformCredentials(this.deps.config);
    const secrets = decryptRazorpaySecrets(this.deps.cipher, creatorId, stored);
    return { account: creatorId, keyId: stored.keyId, ...secrets };
  }
}

function platformCredentials(config: RazorpayCredentialsDeps['config']): RazorpayCredentials {
  return {
    account: PLATFORM_ACCOUNT,
    keyId: config.RAZORPAY_KEY_ID,
    keySecret: config.RAZORPAY_KEY_SECRET,
    webhookSecret: config.RAZORPAY_WEBHOOK_SECRET,
  };
}

// Expired entries first; if the cache is still full, the oldest insertions go (Map keeps order).
function evict(cache: Map<string, CacheEntry>, now: number): void {
  for (const [key, entry] of cache) if (entry.expiresAt <= now) cache.delete(key);
  for (const key of cache.keys()) {
    if (cache.size < CACHE_MAX_ENTRIES) break;
    cache.delete(key);
  }
}
