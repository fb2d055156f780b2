import type { CheckoutFailure, CheckoutOutcome, CheckoutSuccess } from '@storefront/devstack';
import type { CheckoutResponse } from '@storefront/test-support';
import type { Http1Connection, Reply } from '@storefront/test-support/http1-connection';

// A drop buyer's steps after the storefront, as the page makes them: over the buyer's own
// keep-alive connection to the API (the one the storefront was read on, as a browser keeps it)
// and one to Razorpay's Checkout (the sandbox). The same requests and answers as the test-support
// buyer helpers, without fetch: undici's fetch cost the generator about a quarter of its CPU in a
// drop (profile in docs/load-testing.md), CPU the API under test then did not get.

const JSON_BODY = 'Content-Type: application/json\r\n';

/** An answer with its JSON body parsed; a body that is not JSON fails the step. */
export interface JsonAnswer<T> {
  status: number;
  body: T;
}

function json<T>(reply: Reply): JsonAnswer<T> {
  return { status: reply.status, body: JSON.parse(reply.body.toString('utf8')) as T };
}

const bearer = (token: string) => `Authorization: Bearer ${token}\r\n`;

/** `POST /api/v1/store/:username/products/:id/checkout` (a CheckoutResponse on 201). */
export async function checkoutOn(
  api: Http1Connection,
  username: string,
  productId: string,
  body: { email: string },
): Promise<JsonAnswer<CheckoutResponse & { error?: { code: string; message: string } }>> {
  return json(
    await api.request('POST', `/api/v1/store/${username}/products/${productId}/checkout`, {
      headerLines: JSON_BODY,
      body: JSON.stringify(body),
    }),
  );
}

/** One payment attempt in the Checkout modal (`POST /_sandbox/checkout/pay`); throws unless 200. */
export async function payOn(
  sandbox: Http1Connection,
  request: { orderId: string; keyId: string; outcome: CheckoutOutcome },
): Promise<CheckoutSuccess | CheckoutFailure> {
  const reply = await sandbox.request('POST', '/_sandbox/checkout/pay', {
    headerLines: JSON_BODY,
    body: JSON.stringify({
      order_id: request.orderId,
      key_id: request.keyId,
      outcome: request.outcome,
    }),
  });
  if (reply.status !== 200) {
    throw new Error(`checkout pay refused: ${reply.status} ${reply.body.toString('utf8')}`);
  }
  return json<CheckoutSuccess | CheckoutFailure>(reply).body;
}

/** The Checkout handler's callback, `POST /api/v1/orders/:id/payment`, with the order's token. */
export async function callbackOn(
  api: Http1Connection,
  orderId: string,
  accessToken: string,
  handler: CheckoutSuccess,
): Promise<JsonAnswer<Record<string, unknown>>> {
  return json(
    await api.request('POST', `/api/v1/orders/${orderId}/payment`, {
      headerLines: JSON_BODY + bearer(accessToken),
      body: JSON.stringify(handler),
    }),
  );
}

/** The order's status, `GET /api/v1/orders/:id`, with its token. */
export async function statusOn(
  api: Http1Connection,
  orderId: string,
  accessToken: string,
  query = '',
): Promise<JsonAnswer<Record<string, unknown>>> {
  return json(
    await api.request('GET', `/api/v1/orders/${orderId}${query}`, {
      headerLines: bearer(accessToken),
    }),
  );
}
