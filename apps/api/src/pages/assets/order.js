// @ts-check
// The order page: shows what our API says about the order (pending → paid → download), asking
// the API to hold each read until the download is ready (`?wait=`), with a backoff when it could
// not. The access token comes in the URL fragment (never sent to any server) or, from an
// e-mailed link, as ?token=; it is kept for this tab so a reload still works.

/** @typedef {import('../../openapi/api-types.ts').ApiSchemas['OrderStatus']} OrderStatus */
const main = document.getElementById('order');
const orderId = decodeURIComponent(location.pathname.split('/')[2] || '');
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
const fromQuery = new URLSearchParams(location.search).get('token');
const storageKey = `order-token:${orderId}`;
let token = fromHash || fromQuery || sessionStorage.getItem(storageKey);
if (token) sessionStorage.setItem(storageKey, token);
if (fromQuery) {
  // Keep the token out of the address bar, history and any later Referer.
  history.replaceState(null, '', `${location.pathname}#token=${encodeURIComponent(token)}`);
}

const inr = new Intl.NumberFormat('en-IN', {
  style: 'currency',
  currency: 'INR',
  minimumFractionDigits: 0,
});
let delay = 1000;
let timer = 0;
/** Seconds the API may hold a status read for the download (`GET /api/v1/orders/{id}?wait=`). */
const WAIT_SECONDS = 20;
/** A read answered after this many ms without the download was held by the API: ask again now. */
const WAITED_MS = 1000;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function show(...nodes) {
  main.replaceChildren(...nodes);
  main.setAttribute('aria-busy', 'false');
}

/**
 * Shows the order; true once nothing more will change (paid with its download, failed, expired).
 * @param {OrderStatus} order
 */
function render(order) {
  const price = inr.format(order.amount / 100);
  const head = [
    el('h1', {}, order.productTitle),
    el('p', { class: 'muted' }, `Order ${order.id} · ${price}`),
  ];
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const state = el('p', { 'data-status': order.status });
  status.append(state);
  if (order.status === 'paid' && order.download) {
    state.textContent = 'Paid. Your download is ready.';
    const link = el(
      'a',
      { class: 'btn', href: order.download.url, id: 'download', rel: 'noopener' },
      'Download',
    );
    link.dataset.expiresAt = order.download.expiresAt;
    link.addEventListener('click', async (event) => {
      // Links are short-lived: past their expiry, fetch a fresh one first.
      if (Date.parse(link.dataset.expiresAt) - Date.now() > 5000) return;
      event.preventDefault();
      const fresh = await fetchOrder();
      if (fresh && fresh.download) location.assign(fresh.download.url);
    });
    status.append(link);
  } else if (order.status === 'paid') {
    state.textContent = 'Paid. Preparing your download…';
    status.append(el('span', { class: 'skel w60' }));
  } else if (order.status === 'failed' || order.status === 'expired') {
    state.textContent =
      order.status === 'failed'
        ? 'This payment did not go through.'
        : 'This order expired before it was paid.';
  } else {
    state.textContent = 'Waiting for the payment to be confirmed…';
    status.append(el('span', { class: 'skel w40' }));
  }
  if (order.lastPaymentError && order.status !== 'paid') {
    const e = order.lastPaymentError;
    status.append(
      el('p', { class: 'msg err' }, `Last attempt: ${e.description || e.code || 'failed'}`),
    );
  }
  show(...head, status);
  return order.status === 'paid'
    ? Boolean(order.download)
    : order.status === 'failed' || order.status === 'expired';
}

/**
 * @param {number} [wait] seconds the API may hold the read for the download (0: answer at once)
 * @returns {Promise<OrderStatus | null>} null when the order is not found (shown as such)
 */
async function fetchOrder(wait = 0) {
  const query = wait > 0 ? `?wait=${wait}` : '';
  const res = await fetch(`/api/v1/orders/${encodeURIComponent(orderId)}${query}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    cache: 'no-store',
  });
  if (res.status === 404) {
    show(
      el('h1', {}, 'Order not found'),
      el('p', { class: 'muted' }, 'Check that you opened the full link from your purchase.'),
    );
    return null;
  }
  if (!res.ok) throw new Error(`status ${res.status}`);
  return res.json();
}

// Each read may wait at the API for the download; a read it held (answered after WAITED_MS or
// more) is followed by the next at once. Otherwise (the API could not wait) backoff: 1 s, 1.5 s,
// 2.25 s … up to 8 s while pending; longer after errors (up to 15 s).
async function poll() {
  timer = 0;
  const asked = Date.now();
  try {
    const order = await fetchOrder(WAIT_SECONDS);
    if (!order || render(order)) return;
    if (Date.now() - asked >= WAITED_MS) {
      poll();
      return;
    }
    timer = setTimeout(poll, delay);
    delay = Math.min(Math.round(delay * 1.5), 8000);
  } catch {
    delay = Math.min(delay * 2, 15000);
    timer = setTimeout(poll, delay);
  }
}

if (!token) {
  show(
    el('h1', {}, 'Order'),
    el('p', { class: 'muted' }, 'This link is missing its access token.'),
  );
} else {
  poll();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && timer) {
      clearTimeout(timer);
      delay = 1000;
      poll();
    }
  });
}
