import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { capturedEvent, signWebhook } from '@storefront/test-support';
import type { Seller } from './traffic.ts';

/** Why a poisoned event can never apply. */
export type PoisonKind = 'nonexistent_order' | 'amount_mismatch' | 'wrong_account';

/** A validly signed event that must end `dead` in the DLQ, with an alert. */
export interface PoisonedEvent {
  eventId: string;
  kind: PoisonKind;
  /** Our order it names (amount mismatch, wrong account); it must stay unpaid. */
  orderId?: string;
  /** Final HTTP status of posting it (200 once accepted). */
  status: number;
}

const KINDS: PoisonKind[] = ['nonexistent_order', 'amount_mismatch', 'wrong_account'];

/**
 * Posts `count` poisoned events through the proxy, cycling through the kinds: a capture for a
 * gateway order nobody has (retried on the schedule, then dead), a capture of less than the order
 * amount (dead at once), and an event signed by the platform account about a connected creator's
 * order (dead at once). Each is posted until the API accepts it.
 */
export async function postPoisonedEvents(opts: {
  proxyUrl: string;
  apiUrl: string;
  sellers: Seller[];
  count: number;
}): Promise<PoisonedEvent[]> {
  const connected = opts.sellers.find((s) => s.account !== 'platform');
  const platform = opts.sellers.find((s) => s.account === 'platform');
  if (!connected || !platform) throw new Error('poison needs a connected and a platform seller');
  const out: PoisonedEvent[] = [];
  for (let i = 0; i < opts.count; i++) {
    const kind = KINDS[i % KINDS.length] as PoisonKind;
    const eventId = `poison${randomBytes(6).toString('hex')}`;
    let account: Seller;
    let body: Record<string, unknown>;
    let orderId: string | undefined;
    if (kind === 'nonexistent_order') {
      account = platform;
      body = capturedEvent(`order_${randomBytes(7).toString('hex')}`, platform.price);
    } else {
      // An order of ours that nobody pays: the poisoned event must not make it paid.
      const target = await checkoutUnpaid(opts.apiUrl, connected);
      orderId = target.orderId;
      if (kind === 'amount_mismatch') {
        account = connected;
        body = capturedEvent(target.gatewayOrderId, connected.price - 1);
      } else {
        account = platform;
        body = capturedEvent(target.gatewayOrderId, connected.price);
      }
    }
    const status = await postUntilAccepted(opts.proxyUrl, account, eventId, body);
    out.push({ eventId, kind, status, ...(orderId ? { orderId } : {}) });
  }
  return out;
}

async function checkoutUnpaid(
  apiUrl: string,
  seller: Seller,
): Promise<{ orderId: string; gatewayOrderId: string }> {
  const url = `${apiUrl}/api/v1/store/${seller.username}/products/${seller.productId}/checkout`;
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'poison@example.test' }),
      signal: AbortSignal.timeout(15_000),
    }).catch(() => undefined);
    const body = (await res?.json().catch(() => ({}))) as
      { orderId?: string; razorpay?: { orderId?: string } } | undefined;
    if (res?.status === 201 && body?.orderId && body.razorpay?.orderId) {
      return { orderId: body.orderId, gatewayOrderId: body.razorpay.orderId };
    }
    await sleep(250);
  }
  throw new Error('could not check out an order for a poisoned event');
}

async function postUntilAccepted(
  proxyUrl: string,
  seller: Seller,
  eventId: string,
  body: Record<string, unknown>,
): Promise<number> {
  const raw = JSON.stringify(body);
  const account = seller.account;
  let status = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    const res = await fetch(`${proxyUrl}/api/v1/webhooks/razorpay/${account}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-razorpay-event-id': eventId,
        'x-razorpay-signature': signWebhook(raw, seller.keys.webhookSecret),
      },
      body: raw,
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    await res?.arrayBuffer().catch(() => undefined);
    status = res?.status ?? 0;
    if (status === 200) return status;
    if (status >= 400 && status < 500) return status;
    await sleep(250);
  }
  return status;
}
