/** A Razorpay account (one creator's keys) known to the sandbox. */
export interface SandboxAccount {
  keyId: string;
  keySecret: string;
  /** Key of the webhook HMAC; required when `webhookUrl` is set. */
  webhookSecret?: string;
  webhookUrl?: string;
  /** `account_id` in webhook bodies; generated (`acc_…`) when absent. */
  accountId?: string;
}

/** Options of `startRazorpaySandbox`. */
export interface SandboxOptions {
  port?: number;
  host?: string;
  accounts?: SandboxAccount[];
  /** Retries after a failed webhook attempt (Razorpay retries for 24 h). Default 3. */
  webhookRetries?: number;
  /** Delay before the first retry; doubles on each further retry. Default 200 ms. */
  retryDelayMs?: number;
  /** A webhook attempt without a complete answer within this time fails. Default 5000 ms. */
  webhookTimeoutMs?: number;
  /** Requests kept in the log; the oldest half is dropped beyond this. Default 200 000. */
  maxLoggedRequests?: number;
  /**
   * PEM certificates trusted for `https://` webhook URLs on top of Node's default CAs, e.g. the
   * self-signed certificate of a local HTTPS API. Verification itself is never turned off.
   */
  webhookCa?: string | Buffer | Array<string | Buffer>;
  /**
   * How the webhooks of payments made through Standard Checkout (`POST /_sandbox/checkout/pay`)
   * are delivered, e.g. `{ times: 2, shuffle: true }` for duplicates in any order, as Razorpay
   * may send them. Default: each event once, in event order.
   */
  checkoutDeliver?: DeliverOptions;
}

export type SandboxOrderStatus = 'created' | 'attempted' | 'paid';
export type SandboxPaymentStatus = 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';
export type SandboxPaymentMethod = 'card' | 'upi' | 'netbanking' | 'wallet';
export type SandboxNotes = Record<string, string | number> | [];

/** Order entity as Razorpay serialises it. */
export interface SandboxOrder {
  id: string;
  entity: 'order';
  amount: number;
  amount_paid: number;
  amount_due: number;
  currency: string;
  receipt: string | null;
  offer_id: string | null;
  status: SandboxOrderStatus;
  attempts: number;
  notes: SandboxNotes;
  created_at: number;
}

/** Card details Razorpay shares: never the number, only last4, network and the like. */
export interface SandboxCard {
  id: string;
  entity: 'card';
  name: string;
  last4: string;
  network: string;
  type: 'credit' | 'debit';
  issuer: string | null;
  international: boolean;
  emi: boolean;
  sub_type: 'consumer' | 'business';
  token_iin: string | null;
}

/** Payment entity as Razorpay serialises it. */
export interface SandboxPayment {
  id: string;
  entity: 'payment';
  amount: number;
  currency: string;
  status: SandboxPaymentStatus;
  order_id: string;
  invoice_id: string | null;
  international: boolean;
  method: SandboxPaymentMethod;
  amount_refunded: number;
  refund_status: string | null;
  captured: boolean;
  description: string | null;
  card_id: string | null;
  card?: SandboxCard;
  bank: string | null;
  wallet: string | null;
  vpa: string | null;
  email: string;
  contact: string;
  customer_id: string | null;
  notes: SandboxNotes;
  fee: number | null;
  tax: number | null;
  error_code: string | null;
  error_description: string | null;
  error_source: string | null;
  error_step: string | null;
  error_reason: string | null;
  acquirer_data: Record<string, string | null>;
  created_at: number;
}

/** How the webhooks of one simulated payment are delivered. */
export interface DeliverOptions {
  /** Copies of each event (redeliveries share the event id). Default 1. */
  times?: number;
  /** Deliver the copies in random order instead of event order. */
  shuffle?: boolean;
  /** Never send them (recorded as `dropped`), as if the webhook were lost. */
  drop?: boolean;
  /** Wait this long before the first attempt. */
  delayMs?: number;
  /** Override the sandbox's `webhookRetries` for these deliveries. */
  retries?: number;
  /** Override the sandbox's `retryDelayMs` for these deliveries. */
  retryDelayMs?: number;
}

/** Razorpay-style error details for a failed payment. */
export interface PaymentErrorDetails {
  code?: string;
  description?: string;
  source?: string;
  step?: string;
  reason?: string;
}

/** Body of `POST /_sandbox/orders/:id/pay`: simulates a buyer's payment attempt. */
export interface PayOptions {
  status: 'authorized' | 'captured' | 'failed';
  method?: SandboxPaymentMethod;
  email?: string;
  contact?: string;
  /** Paise; only a partial-payment order accepts less than `amount_due`. */
  amount?: number;
  error?: PaymentErrorDetails;
  deliver?: DeliverOptions;
  /** Deliver to this URL instead of the account's webhookUrl. */
  webhookUrl?: string;
  /** Answer after the deliveries finished (default) or at once, delivering in the background. */
  wait?: boolean;
}

/** Body of `POST /_sandbox/payments/:id/capture`. */
export type CaptureOptions = Pick<PayOptions, 'deliver' | 'webhookUrl' | 'wait'>;

/** One copy of one webhook event and what became of it. */
export interface DeliveryRecord {
  eventId: string;
  event: string;
  keyId: string;
  orderId: string;
  paymentId: string;
  url: string;
  /** 1 for the first copy, 2.. for duplicates. */
  copy: number;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  attempts: number;
  /** Status of the last attempt; null when it got no answer. */
  statusCode: number | null;
  error?: string;
  /** ms timestamps (high resolution). */
  createdAt: number;
  finishedAt?: number;
}

/** What a simulated payment produced. */
export interface PayResult {
  payment: SandboxPayment;
  order: SandboxOrder;
  deliveries: DeliveryRecord[];
}

/** The next `count` API calls matching `paths`/`keyIds` are delayed and/or answer `status`. */
export interface FaultSpec {
  status?: 429 | 500 | 502 | 503;
  /** Default 1. */
  count?: number;
  /** Seconds, sent as Retry-After (429/503 only make sense). */
  retryAfter?: number;
  /** Delay before answering; the request is still carried out unless `status` is set. */
  latencyMs?: number;
  /** Path prefixes, e.g. `/v1/orders`; all API paths when absent. */
  paths?: string[];
  /** Only calls made with these key ids; all when absent. */
  keyIds?: string[];
}

/** Drop the next `count` webhook deliveries, or each with probability `ratio` until cleared. */
export interface WebhookDropSpec {
  count?: number;
  ratio?: number;
  keyIds?: string[];
}

/** One API request as the sandbox saw it. */
export interface RequestLogEntry {
  method: string;
  path: string;
  /** 0 while the request is still being answered. */
  status: number;
  keyId: string | null;
  /** Arrival, ms since the epoch with sub-ms resolution. */
  at: number;
}

/** Filter of the request and delivery logs. */
export interface LogFilter {
  keyId?: string;
  orderId?: string;
  since?: number;
}

/** A running sandbox: its URL and in-process twins of the `/_sandbox/*` control endpoints. */
export interface RazorpaySandbox {
  url: string;
  port: number;
  stop(): Promise<void>;
  addAccount(account: SandboxAccount): void;
  pay(orderId: string, options: PayOptions): Promise<PayResult>;
  capture(paymentId: string, options?: CaptureOptions): Promise<PayResult>;
  getOrder(orderId: string): SandboxOrder | undefined;
  getPayment(paymentId: string): SandboxPayment | undefined;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  dropWebhooks(spec: WebhookDropSpec): void;
  clearWebhookDrops(): void;
  requests(filter?: LogFilter): RequestLogEntry[];
  clearRequests(): void;
  deliveries(filter?: LogFilter): DeliveryRecord[];
  clearDeliveries(): void;
  /** Resolves when no webhook delivery is pending. */
  idle(): Promise<void>;
  /** Forgets orders, payments, logs, faults and drops; accounts too with `{ accounts: true }`. */
  reset(options?: { accounts?: boolean }): void;
}
