import type { SandboxOrder } from '../sandbox.types.ts';

/** The modal page's own policy: only its external script, stylesheet and pay endpoint. */
export const MODAL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  // Any storefront origin embeds it, as any merchant embeds Razorpay's.
  'frame-ancestors *',
].join('; ');

/** What the host page passed through checkout.js (all optional, all shown escaped). */
export interface ModalContext {
  orderId: string;
  keyId: string;
  /** Origin of the host page; messages go only there. Empty: opened on its own, no messages. */
  parentOrigin: string;
  capture: 'automatic' | 'manual';
  name: string;
  description: string;
  email: string;
  contact: string;
  color: string;
}

/** The modal for a payable order: amount, Pay, Fail and Close. */
export function renderModalPage(context: ModalContext, order: SandboxOrder): string {
  const amount = formatAmount(order.amount_due, order.currency);
  const payer = [context.email, context.contact].filter((value) => value !== '').join(' · ');
  return page(
    context,
    'ready',
    `${context.description === '' ? '' : `<p class="description">${escapeHtml(context.description)}</p>`}
      <p class="amount" id="sandbox-amount">${escapeHtml(amount)}</p>
      <dl>
        <dt>Order</dt><dd id="sandbox-order-id">${escapeHtml(order.id)}</dd>
        <dt>Key id</dt><dd>${escapeHtml(context.keyId)}</dd>
        ${payer === '' ? '' : `<dt>Paying as</dt><dd>${escapeHtml(payer)}</dd>`}
        <dt>On Pay</dt><dd>${context.capture === 'manual' ? 'authorize only (manual capture)' : 'capture'}</dd>
      </dl>
      <p id="sandbox-status" role="status" aria-live="polite"></p>
      <div class="actions">
        <button id="sandbox-pay" type="button">Pay ${escapeHtml(amount)}</button>
        <button id="sandbox-fail" type="button">Fail</button>
      </div>`,
  );
}

/** The modal when the order cannot be paid with this key id: the reason and Close. */
export function renderModalError(context: ModalContext, message: string): string {
  return page(
    context,
    'error',
    `<p id="sandbox-status" class="error" role="alert">${escapeHtml(message)}</p>`,
  );
}

function page(context: ModalContext, state: string, content: string): string {
  const data = {
    'order-id': context.orderId,
    'key-id': context.keyId,
    'parent-origin': context.parentOrigin,
    capture: context.capture,
    email: context.email,
    contact: context.contact,
    color: context.color,
    state,
  };
  const attributes = Object.entries(data)
    .map(([key, value]) => `data-${key}="${escapeHtml(value)}"`)
    .join(' ');
  const title = context.name === '' ? 'Razorpay Checkout' : context.name;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>${escapeHtml(title)} (sandbox)</title>
    <link rel="stylesheet" href="modal.css">
    <script src="modal.js" defer></script>
  </head>
  <body>
    <div class="backdrop">
      <section id="sandbox-checkout" class="card" role="dialog" aria-modal="true" aria-labelledby="sandbox-title" ${attributes}>
        <header>
          <h1 id="sandbox-title">${escapeHtml(title)}</h1>
          <button id="sandbox-close" type="button" aria-label="Close">×</button>
        </header>
        <p class="badge">Razorpay sandbox · test mode · no money moves</p>
        ${content}
      </section>
    </div>
  </body>
</html>
`;
}

/** `INR 499.00` from paise (two decimal places for every currency the sandbox accepts). */
function formatAmount(subunits: number, currency: string): string {
  return `${currency} ${(subunits / 100).toFixed(2)}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
