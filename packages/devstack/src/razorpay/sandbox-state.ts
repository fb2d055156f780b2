import { controlError } from './sandbox-errors.ts';
import { entityId } from './sandbox-ids.ts';
import type {
  DeliveryRecord,
  LogFilter,
  RequestLogEntry,
  SandboxAccount,
  SandboxOrder,
  SandboxPayment,
} from './sandbox.types.ts';

/** A registered account with its generated `account_id`. */
export interface AccountRecord {
  keyId: string;
  keySecret: string;
  webhookSecret: string | undefined;
  webhookUrl: string | undefined;
  accountId: string;
}

/** An order and what the sandbox needs beyond Razorpay's serialised fields. */
export interface OrderRecord {
  order: SandboxOrder;
  keyId: string;
  partialPayment: boolean;
  paymentIds: string[];
}

export interface PaymentRecord {
  payment: SandboxPayment;
  keyId: string;
}

/** All in-memory state of one sandbox; every lookup is a Map access. */
export class SandboxState {
  readonly accounts = new Map<string, AccountRecord>();
  readonly orders = new Map<string, OrderRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  private requestLog: RequestLogEntry[] = [];
  private deliveryLog: DeliveryRecord[] = [];
  private readonly maxLoggedRequests: number;

  constructor(maxLoggedRequests: number) {
    this.maxLoggedRequests = maxLoggedRequests;
  }

  addAccount(account: SandboxAccount): AccountRecord {
    const { keyId, keySecret, webhookSecret, webhookUrl, accountId } = account;
    if (typeof keyId !== 'string' || keyId === '') throw controlError('keyId is required');
    if (typeof keySecret !== 'string' || keySecret === '') {
      throw controlError('keySecret is required');
    }
    if (webhookUrl !== undefined) {
      assertWebhookUrl(webhookUrl);
      if (typeof webhookSecret !== 'string' || webhookSecret === '') {
        throw controlError('webhookSecret is required with webhookUrl');
      }
    }
    const record: AccountRecord = {
      keyId,
      keySecret,
      webhookSecret,
      webhookUrl,
      accountId: accountId ?? this.accounts.get(keyId)?.accountId ?? entityId('acc'),
    };
    this.accounts.set(keyId, record);
    return record;
  }

  logRequest(entry: RequestLogEntry): void {
    if (this.requestLog.length >= this.maxLoggedRequests) {
      // Amortised O(1): drop the older half at once rather than shifting per request.
      this.requestLog = this.requestLog.slice(Math.floor(this.maxLoggedRequests / 2));
    }
    this.requestLog.push(entry);
  }

  logDelivery(record: DeliveryRecord): void {
    this.deliveryLog.push(record);
  }

  requests(filter: LogFilter = {}): RequestLogEntry[] {
    return this.requestLog
      .filter(
        (entry) =>
          (filter.keyId === undefined || entry.keyId === filter.keyId) &&
          (filter.since === undefined || entry.at >= filter.since),
      )
      .map((entry) => ({ ...entry }));
  }

  deliveries(filter: LogFilter = {}): DeliveryRecord[] {
    return this.deliveryLog
      .filter(
        (record) =>
          (filter.keyId === undefined || record.keyId === filter.keyId) &&
          (filter.orderId === undefined || record.orderId === filter.orderId) &&
          (filter.since === undefined || record.createdAt >= filter.since),
      )
      .map((record) => ({ ...record }));
  }

  clearRequests(): void {
    this.requestLog = [];
  }

  clearDeliveries(): void {
    this.deliveryLog = [];
  }

  reset(options: { accounts?: boolean } = {}): void {
    this.orders.clear();
    this.payments.clear();
    this.clearRequests();
    this.clearDeliveries();
    if (options.accounts === true) this.accounts.clear();
  }
}

/** Throws a 400 unless `url` is an absolute http(s) URL. */
export function assertWebhookUrl(url: unknown): asserts url is string {
  if (typeof url !== 'string' || !URL.canParse(url)) {
    throw controlError('webhookUrl must be an absolute http(s) URL');
  }
  const { protocol } = new URL(url);
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw controlError('webhookUrl must be an absolute http(s) URL');
  }
}
