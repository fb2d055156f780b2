/* global window, document, fetch */
// The sandbox checkout modal's behaviour (served as a file: the page's CSP allows no inline
// script). Pay and Fail post to the sandbox's pay endpoint; the outcome goes to the host page
// through postMessage, addressed to the origin checkout.js passed, never to '*'.
(function () {
  'use strict';

  const MESSAGE_SOURCE = 'razorpay-sandbox-checkout';
  const root = document.getElementById('sandbox-checkout');
  if (root === null) return;
  const config = root.dataset;
  const pay = document.getElementById('sandbox-pay');
  const failButton = document.getElementById('sandbox-fail');
  const close = document.getElementById('sandbox-close');
  const status = document.getElementById('sandbox-status');
  let busy = false;
  let closed = false;

  function toParent(message) {
    if (config.parentOrigin === '' || window.parent === window) return;
    message.source = MESSAGE_SOURCE;
    window.parent.postMessage(message, config.parentOrigin);
  }

  function show(state, message) {
    root.dataset.state = state;
    status.textContent = message;
    status.classList.toggle('error', state === 'failed' || state === 'error');
  }

  function setBusy(value) {
    busy = value;
    root.setAttribute('aria-busy', String(value));
    for (const button of [pay, failButton]) {
      if (button !== null) button.disabled = value || root.dataset.state === 'paid';
    }
  }

  async function attempt(outcome) {
    if (busy || closed || root.dataset.state === 'paid') return;
    setBusy(true);
    show('processing', 'Processing…');
    const request = { order_id: config.orderId, key_id: config.keyId, outcome: outcome };
    if (config.email !== '') request.email = config.email;
    if (config.contact !== '') request.contact = config.contact;
    let httpStatus;
    let body;
    try {
      const res = await fetch('pay', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      httpStatus = res.status;
      body = await res.json();
    } catch (err) {
      show('error', 'The sandbox did not answer (' + String(err) + '). Try again.');
      setBusy(false);
      return;
    }
    const answer = body !== null && typeof body === 'object' ? body : {};
    const error = answer.error;
    if (httpStatus === 200 && typeof answer.razorpay_signature === 'string') {
      show('paid', 'Payment successful.');
      setBusy(false);
      toParent({ type: 'payment.success', response: answer });
    } else if (
      httpStatus === 200 &&
      error &&
      error.metadata &&
      typeof error.metadata.payment_id === 'string'
    ) {
      show('failed', 'Payment failed: ' + error.description + ' You may try again.');
      setBusy(false);
      toParent({ type: 'payment.failed', error: error });
    } else {
      // 4xx: refused without an attempt (order paid meanwhile, sandbox reset): nothing to report.
      show('error', (error && error.description) || 'The sandbox answered ' + httpStatus + '.');
      setBusy(false);
    }
  }

  function dismiss() {
    if (closed) return;
    closed = true;
    show('closed', 'Closed.');
    toParent({ type: 'dismiss' });
  }

  if (pay !== null) {
    if (config.color !== '') pay.style.backgroundColor = config.color;
    pay.addEventListener('click', function () {
      void attempt(config.capture === 'manual' ? 'authorized' : 'captured');
    });
  }
  if (failButton !== null) {
    failButton.addEventListener('click', function () {
      void attempt('failed');
    });
  }
  close.addEventListener('click', dismiss);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') dismiss();
  });
  // A cross-origin frame cannot autofocus; checkout.js focuses the frame once loaded, and the
  // first control takes it from there so keyboard users start on Pay.
  const first = pay || close;
  first.focus();
  window.addEventListener('focus', function () {
    if (document.activeElement === null || document.activeElement === document.body) first.focus();
  });
})();
