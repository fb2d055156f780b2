// Test helpers for the buyer's Checkout callback (`POST /api/v1/orders/:id/payment`), shared by
// the API's and the worker's tests: pay as the Standard Checkout modal does, and post its
// handler payload to the API.
import type {
  CheckoutFailure,
  CheckoutOutcome,
  CheckoutSuccess,
  RequestLogEntry,
} from '@storefront/devstack';

/** What Standard Checkout's `handler(response)` receives and the page posts to the API. */
export type HandlerPayload = CheckoutSuccess;

/**
 * One payment attempt as the modal's buttons make it (`POST /_sandbox/checkout/pay`): the handler
 * payload on success, the `payment.failed` payload for a failed attempt. The sandbox's webhooks
 * go out in the background, as Razorpay's do.
 */
export async function payWithCheckout(
  razorpayUrl: string,
  request: { orderId: string; keyId: string; outcome?: CheckoutOutcome },
): Promise<CheckoutSuccess | CheckoutFailure> {
  const res = await fetch(`${razorpayUrl}/_sandbox/checkout/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      order_id: request.orderId,
      key_id: request.keyId,
      outcome: request.outcome ?? 'captured',
    }),
  });
  if (res.status !== 200)
    throw new Error(`checkout pay refused: ${res.status} ${await res.text()}`);
  return (await res.json()) as CheckoutSuccess | CheckoutFailure;
}

/** Like payWithCheckout for an attempt that must succeed: the handler payload. */
export async function payAndGetHandlerPayload(
  razorpayUrl: string,
  request: { orderId: string; keyId: string; outcome?: 'captured' | 'authorized' },
): Promise<HandlerPayload> {
  const answer = await payWithCheckout(razorpayUrl, request);
  if ('error' in answer) throw new Error(`payment failed: ${JSON.stringify(answer.error)}`);
  return answer;
}

/** Posts the handler payload (or any body) to the order's callback with its access token. */
export async function postPaymentCallback(
  apiUrl: string,
  orderId: string,
  accessToken: string | undefined,
  body: unknown,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
  const res = await fetch(`${apiUrl}/api/v1/orders/${orderId}/payment`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

/**
 * Makes the sandbox lose every webhook of these key ids from now on, so only the callback (or
 * reconciliation) can tell our API about their payments. Scoped to the keys: other tests go on.
 */
export async function dropWebhooksOf(razorpayUrl: string, keyIds: string[]): Promise<void> {
  const res = await fetch(`${razorpayUrl}/_sandbox/webhooks/drop`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ratio: 1, keyIds }),
  });
  if (res.status !== 201) throw new Error(`sandbox refused the drop: ${await res.text()}`);
}

/** The Razorpay API requests the sandbox received with one account's keys (its request log). */
export async function sandboxRequests(
  razorpayUrl: string,
  keyId: string,
): Promise<RequestLogEntry[]> {
  const res = await fetch(`${razorpayUrl}/_sandbox/requests?keyId=${encodeURIComponent(keyId)}`);
  return ((await res.json()) as { items: RequestLogEntry[] }).items;
}

/** The sandbox's webhook deliveries for one gateway order. */
export async function sandboxDeliveries(
  razorpayUrl: string,
  gatewayOrderId: string,
): Promise<Array<{ event: string; status: string; eventId: string }>> {
  const res = await fetch(`${razorpayUrl}/_sandbox/deliveries?orderId=${gatewayOrderId}`);
  return (
    (await res.json()) as { items: Array<{ event: string; status: string; eventId: string }> }
  ).items;
}
