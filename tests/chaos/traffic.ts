import type { Connection } from 'mongoose';
import type { RazorpaySandbox } from '@storefront/devstack';
import type { ApiSchemas } from '@storefront/api';
import type { Config } from '@storefront/shared';
import {
  createCreatorWithProduct,
  newRazorpayKeys,
  type RazorpayKeys,
} from '@storefront/test-support';
import type { Rng } from './random.ts';

/** What the run decided to do with one checkout. */
export type OrderFate =
  /** Checked out, never paid. */
  | 'abandoned'
  /** One failed payment attempt, nothing else. */
  | 'failed'
  /** A failed attempt, then a captured one. */
  | 'failed_then_captured'
  /** Captured; webhooks delivered three times each, shuffled. */
  | 'captured'
  /** Captured, but every webhook dropped: only reconciliation can find it. */
  | 'captured_webhooks_lost';

/** One creator the run sells for, with the Razorpay account its orders go to. */
export interface Seller {
  creatorId: string;
  username: string;
  productId: string;
  price: number;
  /** `platform` or the creator id (a connected account). */
  account: string;
  keys: RazorpayKeys;
}

/** One checkout of the run and what happened to it. */
export interface OrderRecord {
  index: number;
  fate: OrderFate;
  seller: number;
  /** Our order id; undefined when every checkout attempt failed. */
  orderId?: string;
  gatewayOrderId?: string;
  /** Checkout attempts answered 5xx/429 or not at all (the buyer retried). */
  checkoutRetries: number;
  checkoutError?: string;
  /** Sandbox payment ids, in the order they were made. */
  paymentIds: string[];
  payError?: string;
}

/**
 * Seeds the sellers: half with their own Razorpay account (webhooks to the proxy's creator URL),
 * half on the platform account, so both webhook routes and both credential paths are used.
 */
export async function seedSellers(
  mongo: Connection,
  config: Config,
  sandbox: RazorpaySandbox,
  platform: RazorpayKeys,
  proxyUrl: string,
  count = 4,
): Promise<Seller[]> {
  const sellers: Seller[] = [];
  for (let i = 0; i < count; i++) {
    const connected = i % 2 === 0;
    const keys = connected ? newRazorpayKeys() : platform;
    const price = 10_000 + i * 4_900;
    const seeded = await createCreatorWithProduct(mongo, {
      config,
      price,
      ...(connected ? { razorpay: keys } : {}),
    });
    if (connected) {
      sandbox.addAccount({
        ...keys,
        webhookUrl: `${proxyUrl}/api/v1/webhooks/razorpay/${seeded.creator.id}`,
      });
    }
    sellers.push({
      creatorId: seeded.creator.id,
      username: seeded.creator.username,
      productId: seeded.product.id,
      price,
      account: connected ? seeded.creator.id : 'platform',
      keys,
    });
  }
  return sellers;
}

/** Decides the fate of each checkout up front, from the run's seed. */
export function planFates(
  rng: Rng,
  n: number,
  ratios: { abandon: number; fail: number; lostWebhooks: number },
): OrderFate[] {
  return Array.from({ length: n }, (): OrderFate => {
    const r = rng.next();
    if (r < ratios.abandon) return 'abandoned';
    if (r < ratios.abandon + ratios.fail / 2) return 'failed';
    if (r < ratios.abandon + ratios.fail) return 'failed_then_captured';
    return rng.chance(ratios.lostWebhooks) ? 'captured_webhooks_lost' : 'captured';
  });
}

export interface TrafficOptions {
  apiUrls: string[];
  sandbox: RazorpaySandbox;
  sellers: Seller[];
  fates: OrderFate[];
  concurrency: number;
  /** Called after each order is finished (checked out and paid, or given up). */
  onProgress: (done: number, total: number) => void;
  signal?: AbortSignal;
}

const CHECKOUT_ATTEMPTS = 8;

/**
 * Runs the checkouts `concurrency` at a time, alternating API processes and sellers, and pays
 * each through the sandbox according to its fate: webhooks go out in the background, three
 * copies of each event in shuffled order. A buyer whose checkout fails (gateway 429, MongoDB
 * error) tries again, as a person would.
 */
export async function runTraffic(opts: TrafficOptions): Promise<OrderRecord[]> {
  const total = opts.fates.length;
  const records: OrderRecord[] = new Array<OrderRecord>(total);
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < total && !opts.signal?.aborted) {
      const index = next++;
      const fate = opts.fates[index] as OrderFate;
      const seller = index % opts.sellers.length;
      const rec: OrderRecord = { index, fate, seller, checkoutRetries: 0, paymentIds: [] };
      records[index] = rec;
      await checkoutWithRetries(opts, rec, opts.sellers[seller] as Seller);
      if (rec.gatewayOrderId) await pay(opts.sandbox, rec);
      done += 1;
      opts.onProgress(done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, total) }, lane));
  return records.filter((r) => r !== undefined);
}

async function checkoutWithRetries(
  opts: TrafficOptions,
  rec: OrderRecord,
  seller: Seller,
): Promise<void> {
  for (let attempt = 0; attempt < CHECKOUT_ATTEMPTS; attempt++) {
    const apiUrl = opts.apiUrls[(rec.index + attempt) % opts.apiUrls.length] as string;
    const url = `${apiUrl}/api/v1/store/${seller.username}/products/${seller.productId}/checkout`;
    let status = 0;
    // The checkout's 201 or an error envelope, typed from the OpenAPI document.
    let body: Partial<ApiSchemas['Checkout']> & Partial<ApiSchemas['Error']> = {};
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `buyer${rec.index}@example.test` }),
        signal: opts.signal
          ? AbortSignal.any([opts.signal, AbortSignal.timeout(15_000)])
          : AbortSignal.timeout(15_000),
      });
      status = res.status;
      body = (await res.json().catch(() => ({}))) as typeof body;
    } catch (err) {
      rec.checkoutError = err instanceof Error ? err.message : String(err);
    }
    if (status === 201 && body.orderId && body.razorpay?.orderId) {
      rec.orderId = body.orderId;
      rec.gatewayOrderId = body.razorpay.orderId;
      delete rec.checkoutError;
      return;
    }
    if (status !== 0) rec.checkoutError = `${status} ${body.error?.code ?? ''}`.trim();
    if (status >= 400 && status < 500 && status !== 429 && status !== 409) return;
    if (opts.signal?.aborted) return;
    rec.checkoutRetries += 1;
    await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
  }
}

async function pay(sandbox: RazorpaySandbox, rec: OrderRecord): Promise<void> {
  const gatewayOrderId = rec.gatewayOrderId as string;
  const deliver = { times: 3, shuffle: true };
  try {
    if (rec.fate === 'failed' || rec.fate === 'failed_then_captured') {
      const failed = await sandbox.pay(gatewayOrderId, {
        status: 'failed',
        error: {
          code: 'BAD_REQUEST_ERROR',
          description: 'Payment processing failed because of incorrect OTP',
          source: 'customer',
          step: 'payment_authentication',
          reason: 'payment_failed',
        },
        deliver,
        wait: false,
      });
      rec.paymentIds.push(failed.payment.id);
    }
    if (
      rec.fate === 'captured' ||
      rec.fate === 'failed_then_captured' ||
      rec.fate === 'captured_webhooks_lost'
    ) {
      const paid = await sandbox.pay(gatewayOrderId, {
        status: 'captured',
        deliver: { ...deliver, drop: rec.fate === 'captured_webhooks_lost' },
        wait: false,
      });
      rec.paymentIds.push(paid.payment.id);
    }
  } catch (err) {
    rec.payError = err instanceof Error ? err.message : String(err);
  }
}
