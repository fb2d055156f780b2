import {
  NotFoundError,
  encryptRazorpaySecrets,
  type FieldCipher,
  type RazorpayAccountRepository,
  type RazorpayCredentialStore,
} from '@storefront/shared';
import type { RazorpayAccountBody } from '../openapi/response.schemas.ts';
import type { ConnectRazorpayInput } from './razorpay-account.schemas.ts';

/** What a creator sees of their connected account: never a secret (`razorpayAccountResponse`). */
export type RazorpayAccountView = RazorpayAccountBody;

/** Connects, shows and disconnects a creator's own Razorpay account. */
export class RazorpayAccountService {
  private readonly repo: RazorpayAccountRepository;
  private readonly credentials: RazorpayCredentialStore;
  private readonly cipher: FieldCipher;
  private readonly publicBaseUrl: string;

  constructor(deps: {
    accounts: RazorpayAccountRepository;
    credentials: RazorpayCredentialStore;
    cipher: FieldCipher;
    publicBaseUrl: string;
  }) {
    this.repo = deps.accounts;
    this.credentials = deps.credentials;
    this.cipher = deps.cipher;
    this.publicBaseUrl = deps.publicBaseUrl;
  }

  async get(creatorId: string): Promise<RazorpayAccountView> {
    const stored = await this.repo.find(creatorId);
    if (stored === undefined) throw new NotFoundError('Creator not found');
    return stored ? this.view(creatorId, stored.keyId, stored.connectedAt) : this.view(creatorId);
  }

  /** Stores the credentials encrypted (replacing any earlier ones). */
  async connect(creatorId: string, input: ConnectRazorpayInput): Promise<RazorpayAccountView> {
    const connectedAt = new Date();
    const saved = await this.repo.save(creatorId, {
      keyId: input.keyId,
      connectedAt,
      ...encryptRazorpaySecrets(this.cipher, creatorId, input),
    });
    if (!saved) throw new NotFoundError('Creator not found');
    this.credentials.forget(creatorId);
    return this.view(creatorId, input.keyId, connectedAt);
  }

  /** Removes the credentials; new checkouts use the platform account. Idempotent. */
  async disconnect(creatorId: string): Promise<RazorpayAccountView> {
    await this.repo.remove(creatorId);
    this.credentials.forget(creatorId);
    return this.get(creatorId);
  }

  private view(creatorId: string, keyId?: string, connectedAt?: Date): RazorpayAccountView {
    return {
      connected: keyId !== undefined,
      keyId: keyId === undefined ? null : maskKeyId(keyId),
      connectedAt: connectedAt?.toISOString() ?? null,
      webhookUrl: `${this.publicBaseUrl}/api/v1/webhooks/razorpay/${creatorId}`,
    };
  }
}

/** `rzp_test_1234567890abcd` → `rzp_test_****abcd`: enough to recognise, not to use. */
export function maskKeyId(keyId: string): string {
  const m = /^(rzp_(?:test|live)_)(.*)$/.exec(keyId);
  const prefix = m?.[1] ?? '';
  const rest = m?.[2] ?? keyId;
  return `${prefix}****${rest.length > 8 ? rest.slice(-4) : ''}`;
}
