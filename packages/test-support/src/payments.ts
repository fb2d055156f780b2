// The payment flow from a test's side, shared by the API, worker, chaos and dev suites: seed a
// creator and product through the models, check out over HTTP, pay through the Razorpay sandbox,
// and sign and post webhooks as Razorpay does.
import { createHmac, randomBytes } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import { inject } from 'vitest';
import type { CheckoutResult, RunningApi } from '@storefront/api';
import type { PayOptions, PayResult } from '@storefront/devstack';
import { testConfig } from '@storefront/devstack/test-harness';
import {
  createFieldCipher,
  creatorModel,
  encryptRazorpaySecrets,
  productModel,
  type Config,
  type ProductStatus,
} from '@storefront/shared';
import { startCheckedApi } from './api-harness.ts';

/** Keys of one Razorpay account, as the sandbox and our API know them. */
export interface RazorpayKeys {
  keyId: string;
  keySecret: string;
  webhookSecret: string;
}

/**
 * A random test key id. Its tag starts with a letter: a hex tag of twelve decimal digits (one in
 * about 280) that also passes Luhn (one in ten) is a card number to the card-data guard and the
 * at-rest scan, which flagged `rzp_test_401797692829` once in a full run.
 */
export function newRazorpayKeyId(): string {
  return `rzp_test_k${randomBytes(6).toString('hex')}`;
}

/** Fresh, unique Razorpay test keys (unique key ids keep sandbox faults scoped to one test). */
export function newRazorpayKeys(): RazorpayKeys {
  // Secrets in base64url, as mixed as Razorpay's own: a 24-digit hex string holds a 13-digit,
  // Luhn-valid run about once in a thousand, which the API's card-data guard rightly refuses
  // (a flaky 400 from PUT /me/razorpay in a full run).
  return {
    keyId: newRazorpayKeyId(),
    keySecret: `ks_${randomBytes(18).toString('base64url')}`,
    webhookSecret: `wh_${randomBytes(18).toString('base64url')}`,
  };
}

/** What `createCreatorWithProduct` seeds; every field has a default. */
export interface CreatorWithProductOptions {
  /** Needed with `razorpay`: the secrets are encrypted with this config's keys. */
  config?: Config;
  /** Connect the creator's own Razorpay account (stored encrypted, as the API stores it). */
  razorpay?: RazorpayKeys;
  username?: string;
  displayName?: string;
  title?: string;
  /** Paise; default 49 900 (₹499). */
  price?: number;
  status?: ProductStatus;
  /** The product's downloadable file; default a PDF under `products/<productId>/`. `null`: none. */
  file?: { key: string; name: string; contentType: string; size: number } | null;
}

/** The ids and fields of a seeded creator and product, as the tests need them. */
export interface SeededCreator {
  creator: { id: string; username: string; displayName: string };
  product: { id: string; title: string; price: number; fileKey: string | undefined };
}

/** Creates a creator and one product directly through the models. */
export async function createCreatorWithProduct(
  conn: Connection,
  opts: CreatorWithProductOptions = {},
): Promise<SeededCreator> {
  const creatorId = new Types.ObjectId();
  const productId = new Types.ObjectId();
  const id = String(creatorId);
  const username = opts.username ?? `c${randomBytes(5).toString('hex')}`;
  const displayName = opts.displayName ?? 'Test Creator';
  let razorpay: Record<string, unknown> | undefined;
  if (opts.razorpay) {
    if (!opts.config) throw new Error('createCreatorWithProduct: pass config with razorpay');
    razorpay = {
      keyId: opts.razorpay.keyId,
      connectedAt: new Date(),
      ...encryptRazorpaySecrets(createFieldCipher(opts.config), id, opts.razorpay),
    };
  }
  await creatorModel(conn).create({
    _id: creatorId,
    username,
    email: `${username}@example.test`,
    passwordHash: 'not-a-real-hash',
    displayName,
    ...(razorpay ? { razorpay } : {}),
  });
  const file =
    opts.file === null
      ? undefined
      : (opts.file ?? {
          key: `products/${String(productId)}/file.pdf`,
          name: 'file.pdf',
          contentType: 'application/pdf',
          size: 1024,
        });
  const title = opts.title ?? 'Test Product';
  const price = opts.price ?? 49_900;
  await productModel(conn).create({
    _id: productId,
    creatorId,
    title,
    description: 'A product for tests',
    price,
    currency: 'INR',
    status: opts.status ?? 'active',
    position: 0,
    ...(file ? { file: { ...file, uploadedAt: new Date() } } : {}),
  });
  return {
    creator: { id, username, displayName },
    product: { id: String(productId), title, price, fileKey: file?.key },
  };
}

/** The 201 body of a checkout: the service's result, as the API sends it. */
export type CheckoutResponse = CheckoutResult;

/** Checks out over HTTP; returns the status and parsed body (a CheckoutResponse on 201). */
export async function checkout(
  apiUrl: string,
  username: string,
  productId: string,
  body: unknown = { email: 'buyer@example.test' },
): Promise<{
  status: number;
  body: CheckoutResponse & { error?: { code: string; message: string } };
}> {
  const res = await fetch(`${apiUrl}/api/v1/store/${username}/products/${productId}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/** Reads an order's status page with its access token. */
export async function getOrderStatus(
  apiUrl: string,
  orderId: string,
  accessToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${apiUrl}/api/v1/orders/${orderId}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The webhook URL of `account` (`platform` or a creator id) on the API at `apiUrl`. */
export function webhookUrl(apiUrl: string, account: string): string {
  return `${apiUrl}/api/v1/webhooks/razorpay/${account}`;
}

/** Registers an account with the sandbox so it accepts its keys and sends it webhooks. */
export async function registerSandboxAccount(
  razorpayUrl: string,
  account: RazorpayKeys & { webhookUrl?: string },
): Promise<void> {
  const res = await fetch(`${razorpayUrl}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  if (res.status !== 201) throw new Error(`sandbox refused the account: ${await res.text()}`);
}

/** Simulates a buyer's payment of a gateway order; the sandbox signs and posts the webhooks. */
export async function payInSandbox(
  razorpayUrl: string,
  gatewayOrderId: string,
  opts: PayOptions = { status: 'captured' },
): Promise<PayResult> {
  const res = await fetch(`${razorpayUrl}/_sandbox/orders/${gatewayOrderId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(opts),
  });
  if (res.status !== 200) throw new Error(`sandbox pay failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as PayResult;
}

/** Arms a sandbox API fault (scope it with `keyIds` so parallel tests are not hit). */
export async function injectSandboxFault(
  razorpayUrl: string,
  fault: {
    status?: 429 | 500 | 502 | 503;
    count?: number;
    retryAfter?: number;
    latencyMs?: number;
    paths?: string[];
    keyIds?: string[];
  },
): Promise<void> {
  const res = await fetch(`${razorpayUrl}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (res.status !== 201) throw new Error(`sandbox refused the fault: ${await res.text()}`);
}

/** Hex HMAC-SHA256 of the raw body: the `X-Razorpay-Signature` Razorpay sends. */
export function signWebhook(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** A minimal `payment.captured` event body for `gatewayOrderId` (with card details, as Razorpay sends). */
export function capturedEvent(gatewayOrderId: string, amount: number): Record<string, unknown> {
  const paymentId = `pay_${randomBytes(7).toString('hex')}`;
  return {
    entity: 'event',
    account_id: 'acc_test',
    event: 'payment.captured',
    contains: ['payment'],
    payload: {
      payment: {
        entity: {
          id: paymentId,
          entity: 'payment',
          amount,
          currency: 'INR',
          status: 'captured',
          order_id: gatewayOrderId,
          method: 'card',
          captured: true,
          card_id: 'card_test',
          card: { id: 'card_test', last4: '1111', network: 'Visa', name: 'Buyer', type: 'credit' },
          email: 'buyer@example.test',
          contact: '+919000090000',
          notes: { orderId: 'x' },
          error_code: null,
          created_at: Math.floor(Date.now() / 1000),
        },
      },
    },
    created_at: Math.floor(Date.now() / 1000),
  };
}

/** Posts a signed webhook like Razorpay does; returns status and parsed body. */
export async function postWebhook(
  apiUrl: string,
  account: string,
  body: unknown,
  opts: { secret: string; eventId?: string; signature?: string | null },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.eventId !== undefined) headers['x-razorpay-event-id'] = opts.eventId;
  const signature = opts.signature === undefined ? signWebhook(raw, opts.secret) : opts.signature;
  if (signature !== null) headers['x-razorpay-signature'] = signature;
  const res = await fetch(webhookUrl(apiUrl, account), { method: 'POST', headers, body: raw });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed };
}

/** An API started for payment tests, with its own platform Razorpay account in the sandbox. */
export interface PaymentsTestApi {
  api: RunningApi;
  config: Config;
  razorpayUrl: string;
  /** The platform account's keys (unique per API, so sandbox faults can target them). */
  platform: RazorpayKeys;
  /**
   * A creator and product whose creator has connected their own Razorpay account (stored
   * encrypted), registered with the sandbox with its webhooks pointed at this API.
   */
  createConnectedCreator(
    opts?: CreatorWithProductOptions,
  ): Promise<SeededCreator & { keys: RazorpayKeys }>;
}

/**
 * Starts an API (startApi, own database and queue prefix) whose platform Razorpay account is
 * registered with the sandbox and sends its webhooks to this API. Rate limits are raised out of
 * the way. `overrides` are extra environment variables for testConfig.
 */
export async function startPaymentsApi(
  overrides: Record<string, string> = {},
): Promise<PaymentsTestApi> {
  const razorpayUrl = inject('razorpayUrl');
  const platform = newRazorpayKeys();
  const config = testConfig({
    RAZORPAY_KEY_ID: platform.keyId,
    RAZORPAY_KEY_SECRET: platform.keySecret,
    RAZORPAY_WEBHOOK_SECRET: platform.webhookSecret,
    RATE_LIMIT_PUBLIC_PER_MIN: '1000000',
    RATE_LIMIT_AUTH_PER_MIN: '1000000',
    RATE_LIMIT_WEBHOOK_PER_MIN: '1000000',
    ...overrides,
  });
  const api = await startCheckedApi(config);
  await registerSandboxAccount(razorpayUrl, {
    ...platform,
    webhookUrl: webhookUrl(api.url, 'platform'),
  });
  return {
    api,
    config,
    razorpayUrl,
    platform,
    async createConnectedCreator(opts: CreatorWithProductOptions = {}) {
      const keys = opts.razorpay ?? newRazorpayKeys();
      const seeded = await createCreatorWithProduct(api.deps.mongo, {
        ...opts,
        config,
        razorpay: keys,
      });
      await registerSandboxAccount(razorpayUrl, {
        ...keys,
        webhookUrl: webhookUrl(api.url, seeded.creator.id),
      });
      return { ...seeded, keys };
    },
  };
}
