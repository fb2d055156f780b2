// @ts-check
// The storefront page's behaviour (served as an external module: no inline script, nothing that
// blocks rendering). Buy → our checkout API → Razorpay Standard Checkout → our payment callback
// → the order page, which shows what our API says (never success from the handler alone).

/** @typedef {import('../../openapi/api-types.ts').ApiSchemas['Checkout']} Checkout */
/** @typedef {import('../../openapi/api-types.ts').ApiSchemas['Error']} ApiError */
/**
 * Razorpay Standard Checkout, as far as this page uses it (loaded from Razorpay at runtime).
 * @typedef {{ open(): void, on(event: 'payment.failed', cb: (response: any) => void): void }} RazorpayCheckout
 * @typedef {Window & { Razorpay?: new (options: object) => RazorpayCheckout }} CheckoutWindow
 */
const win = /** @type {CheckoutWindow} */ (window);
const body = document.body;
const username = body.dataset.username;
const checkoutScript = body.dataset.checkout;
const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('buy'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('buy-form'));
const message = document.getElementById('buy-msg');
// Shown while Checkout's modal covers the page (our dialog is closed then: a modal dialog would
// make Checkout's frame inert) and read out by screen readers.
const pageMessage = document.getElementById('page-msg');
const submit = /** @type {HTMLButtonElement} */ (document.getElementById('buy-submit'));
const productName = document.getElementById('buy-product');
let current = null; // { id, title } of the product being bought
let scriptLoading = null;

/** Loads Razorpay's checkout script once, on the first sign of buying intent. */
function loadCheckout() {
  if (win.Razorpay) return Promise.resolve();
  if (!scriptLoading) {
    scriptLoading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = checkoutScript;
      s.async = true;
      s.onload = () => resolve();
      s.onerror = () => {
        scriptLoading = null;
        s.remove();
        reject(
          new Error('The payment window could not be loaded. Check your connection and try again.'),
        );
      };
      document.head.append(s);
    });
  }
  return scriptLoading;
}

function say(text, kind) {
  for (const el of [message, pageMessage]) {
    el.textContent = text;
    el.className = kind ? `msg ${kind}` : 'msg';
  }
}

function busy(on) {
  submit.disabled = on;
  submit.textContent = on ? 'Please wait…' : 'Continue to payment';
}

function orderPage(orderId, token) {
  return `/orders/${encodeURIComponent(orderId)}#token=${encodeURIComponent(token)}`;
}

/**
 * Calls our API; the answer is the body of its success status, typed by the caller from the
 * generated API types. Error answers (the one envelope) become an Error with their message.
 * @template T
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<T>}
 */
async function api(path, init) {
  const res = await fetch(path, {
    ...init,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(init && init.headers),
    },
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const error = /** @type {ApiError | null} */ (data);
    const msg =
      error && error.error && error.error.message
        ? error.error.message
        : `Request failed (${res.status})`;
    throw new Error(msg);
  }
  return data;
}

for (const button of document.querySelectorAll('button[data-product]')) {
  if (!(button instanceof HTMLButtonElement)) continue;
  // Intent: start fetching the payment script before the click lands.
  button.addEventListener('pointerenter', () => loadCheckout().catch(() => {}), { once: true });
  button.addEventListener('focus', () => loadCheckout().catch(() => {}), { once: true });
  button.addEventListener('click', () => {
    current = { id: button.dataset.product, title: button.dataset.title };
    productName.textContent = current.title;
    say('');
    busy(false);
    loadCheckout().catch(() => {});
    dialog.showModal();
  });
}

document.getElementById('buy-cancel').addEventListener('click', () => dialog.close());

// A Buy clicked before this script arrived (the page's loader remembered it).
body.dataset.ready = '1';
const pending = body.dataset.pending;
if (pending) {
  delete body.dataset.pending;
  /** @type {HTMLElement | null} */ (
    document.querySelector(`button[data-product="${CSS.escape(pending)}"]`)
  )?.click();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!current) return;
  const data = new FormData(form);
  const email = String(data.get('email') || '').trim();
  const contact = String(data.get('contact') || '').trim();
  busy(true);
  say('');
  /** @type {Checkout} */
  let order;
  try {
    order = await api(
      `/api/v1/store/${encodeURIComponent(username)}/products/${encodeURIComponent(current.id)}/checkout`,
      { method: 'POST', body: JSON.stringify(contact ? { email, contact } : { email }) },
    );
    await loadCheckout();
  } catch (err) {
    busy(false);
    say(err.message, 'err');
    return;
  }
  const target = orderPage(order.orderId, order.accessToken);
  const rz = order.razorpay;
  const checkout = new win.Razorpay({
    key: rz.keyId,
    order_id: rz.orderId,
    amount: rz.amount,
    currency: rz.currency,
    name: rz.name,
    description: rz.description,
    prefill: rz.prefill,
    theme: { color: '#5b2bd6' },
    handler: async (response) => {
      say('Payment received. Confirming with the bank…', 'ok');
      try {
        await api(`/api/v1/orders/${encodeURIComponent(order.orderId)}/payment`, {
          method: 'POST',
          headers: { authorization: `Bearer ${order.accessToken}` },
          body: JSON.stringify({
            razorpay_payment_id: response.razorpay_payment_id,
            razorpay_order_id: response.razorpay_order_id,
            razorpay_signature: response.razorpay_signature,
          }),
        });
      } catch {
        // The order page asks our API, which webhooks and reconciliation keep up to date.
      }
      location.assign(target);
    },
    modal: {
      ondismiss: () => {
        busy(false);
        say('Payment window closed. You have not been charged for this attempt.');
        dialog.showModal();
      },
    },
  });
  checkout.on('payment.failed', (response) => {
    const e = (response && response.error) || {};
    const reason = [e.description, e.reason && `(${String(e.reason).replace(/_/g, ' ')})`]
      .filter(Boolean)
      .join(' ');
    say(`Payment failed: ${reason || 'the payment did not go through'}. You can try again.`, 'err');
  });
  dialog.close();
  checkout.open();
});
