import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxHttpError, controlError } from '../sandbox-errors.ts';
import { parseBody, readBody, sendJson } from '../sandbox-http.ts';
import { CHECKOUT_ASSETS, sendAsset, type StaticAsset } from './checkout-assets.ts';
import { CHECKOUT_CONTROL_PREFIX, CHECKOUT_SCRIPT_PATH } from './checkout-paths.ts';
import type { SandboxCheckout } from './checkout.service.ts';
import { MODAL_CSP, renderModalError, renderModalPage, type ModalContext } from './modal.page.ts';

const ASSETS = new Map<string, StaticAsset>([
  [CHECKOUT_SCRIPT_PATH, CHECKOUT_ASSETS.checkoutScript],
  [`${CHECKOUT_CONTROL_PREFIX}modal.js`, CHECKOUT_ASSETS.modalScript],
  [`${CHECKOUT_CONTROL_PREFIX}modal.css`, CHECKOUT_ASSETS.modalStyle],
]);

/**
 * Handles the Standard Checkout stand-in: `GET /v1/checkout.js`, the modal page
 * `GET /_sandbox/checkout/modal` with its script and stylesheet, and `POST /_sandbox/checkout/pay`.
 * No auth, no request log, no faults: these are the browser's side, not Razorpay's API.
 */
export async function handleCheckoutRequest(
  checkout: SandboxCheckout,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  search: URLSearchParams,
): Promise<void> {
  const method = req.method ?? 'GET';
  const readable = method === 'GET' || method === 'HEAD';
  try {
    const asset = ASSETS.get(pathname);
    if (asset !== undefined) {
      if (!readable) throw notAllowed(res, 'GET, HEAD');
      sendAsset(req, res, asset);
      return;
    }
    if (pathname === `${CHECKOUT_CONTROL_PREFIX}modal`) {
      if (!readable) throw notAllowed(res, 'GET, HEAD');
      sendModal(checkout, res, search);
      return;
    }
    if (pathname === `${CHECKOUT_CONTROL_PREFIX}pay`) {
      if (method !== 'POST') throw notAllowed(res, 'POST');
      const body = parseBody(await readBody(req), req.headers['content-type']);
      // 200 whenever an attempt was made, failed or not (a 4xx means none was): a failed payment
      // is the simulation working, and browser tests need not filter console errors for it.
      sendJson(res, 200, await checkout.pay(body), { 'Cache-Control': 'no-store' });
      return;
    }
    throw controlError(`no checkout endpoint ${method} ${pathname}`, 404);
  } catch (err) {
    const error = err instanceof SandboxHttpError ? err : controlError(String(err), 500);
    sendJson(res, error.status, error.body, error.headers);
  }
}

function sendModal(checkout: SandboxCheckout, res: ServerResponse, search: URLSearchParams): void {
  const param = (name: string): string => search.get(name) ?? '';
  const context: ModalContext = {
    orderId: param('order_id'),
    keyId: param('key_id'),
    parentOrigin: '',
    capture: param('capture') === 'manual' ? 'manual' : 'automatic',
    name: param('name'),
    description: param('description'),
    email: param('email'),
    contact: param('contact'),
    color: param('color'),
  };
  let status = 200;
  let html: string;
  const origin = param('origin');
  if (origin !== '' && !isOrigin(origin)) {
    status = 400;
    html = renderModalError(context, `origin must be an http(s) origin, got ${origin}`);
  } else {
    context.parentOrigin = origin;
    try {
      html = renderModalPage(context, checkout.payableOrder(context.orderId, context.keyId).order);
    } catch (err) {
      if (!(err instanceof SandboxHttpError)) throw err;
      status = err.status;
      html = renderModalError(context, err.message);
    }
  }
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Content-Security-Policy': MODAL_CSP,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(html);
}

function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
}

function notAllowed(res: ServerResponse, allow: string): SandboxHttpError {
  res.setHeader('Allow', allow);
  return controlError(`method not allowed; use ${allow}`, 405);
}
