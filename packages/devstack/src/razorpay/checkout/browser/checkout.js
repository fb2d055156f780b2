/* global window, document, console, URL, URLSearchParams */
// Stand-in for https://checkout.razorpay.com/v1/checkout.js, served by the Razorpay sandbox
// (dev and tests only). Same contract: new Razorpay(options).open(), rzp.on('payment.failed'),
// options.handler(response) on success, options.modal.ondismiss() on close.
// Plain ES2020, no build step. It works under a strict host CSP (script-src and frame-src
// allowing the sandbox origin): no inline scripts, no inline handlers, no <style> and no style
// attributes in markup; styles are set through element.style (CSSOM), which style-src does not
// govern.
(function () {
  'use strict';

  if (typeof window.Razorpay === 'function' && window.Razorpay.sandbox === true) return;

  const MESSAGE_SOURCE = 'razorpay-sandbox-checkout';
  const script = document.currentScript || findScript();
  if (script === null) {
    console.error('Razorpay sandbox: cannot tell where checkout.js was loaded from');
    return;
  }
  const scriptUrl = new URL(script.src, document.baseURI);
  // Messages are trusted only from the origin this script came from, as with Razorpay's own.
  const SANDBOX_ORIGIN = scriptUrl.origin;
  const base = scriptUrl.pathname.replace(/\/v1\/checkout\.js$/, '');
  const MODAL_URL = SANDBOX_ORIGIN + base + '/_sandbox/checkout/modal';
  const CAPTURE = scriptUrl.searchParams.get('capture') === 'manual' ? 'manual' : 'automatic';

  function findScript() {
    const scripts = document.getElementsByTagName('script');
    for (let i = scripts.length - 1; i >= 0; i -= 1) {
      if (/\/v1\/checkout\.js(\?|$)/.test(scripts[i].src)) return scripts[i];
    }
    return null;
  }

  function fail(message) {
    throw new Error('Razorpay sandbox: ' + message);
  }

  function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  function optionalFunction(value, name) {
    if (value !== undefined && typeof value !== 'function') fail(name + ' must be a function');
  }

  function optionalObject(value, name) {
    if (value !== undefined && !isObject(value)) fail(name + ' must be an object');
  }

  function validate(options) {
    if (!isObject(options)) fail('new Razorpay(options) needs an options object');
    if ('key_secret' in options || 'secret' in options) {
      fail('never pass the key secret to the browser; options.key is the key id only');
    }
    if (typeof options.key !== 'string' || options.key === '') {
      fail('options.key (your key id, e.g. rzp_test_…) is required');
    }
    // Razorpay also takes amount-only payments; the sandbox pays orders, so order_id is required.
    if (typeof options.order_id !== 'string' || !/^order_[A-Za-z0-9]{14}$/.test(options.order_id)) {
      fail('options.order_id must be an order id (order_ + 14 letters or digits)');
    }
    optionalFunction(options.handler, 'options.handler');
    optionalObject(options.modal, 'options.modal');
    optionalFunction(options.modal && options.modal.ondismiss, 'options.modal.ondismiss');
    optionalObject(options.prefill, 'options.prefill');
    optionalObject(options.theme, 'options.theme');
    optionalObject(options.notes, 'options.notes');
  }

  function text(value) {
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  }

  function modalUrl(options) {
    const prefill = options.prefill || {};
    const params = new URLSearchParams({
      order_id: options.order_id,
      key_id: options.key,
      origin: window.location.origin,
      capture: CAPTURE,
    });
    const extra = {
      name: options.name,
      description: options.description,
      email: prefill.email,
      contact: prefill.contact,
      color: options.theme && options.theme.color,
    };
    Object.keys(extra).forEach(function (name) {
      if (text(extra[name]) !== '') params.set(name, text(extra[name]));
    });
    return MODAL_URL + '?' + params.toString();
  }

  function setStyles(element, styles) {
    Object.keys(styles).forEach(function (name) {
      element.style.setProperty(name, styles[name]);
    });
  }

  /** The Razorpay Standard Checkout constructor. */
  function Razorpay(options) {
    if (!(this instanceof Razorpay)) return new Razorpay(options);
    validate(options);
    this.options = options;
    this._listeners = {};
    this._container = null;
    this._iframe = null;
    this._onMessage = this._receive.bind(this);
  }

  Razorpay.sandbox = true;

  /** Opens the modal; a second call while it is open does nothing. */
  Razorpay.prototype.open = function () {
    if (this._container !== null) return this;
    const parent = document.body || document.documentElement;
    const container = document.createElement('div');
    container.className = 'razorpay-container';
    setStyles(container, {
      position: 'fixed',
      inset: '0',
      'z-index': '2147483647',
      background: 'transparent',
    });
    const iframe = document.createElement('iframe');
    iframe.className = 'razorpay-checkout-frame';
    iframe.title = 'Razorpay Checkout (sandbox)';
    iframe.setAttribute('allowtransparency', 'true');
    setStyles(iframe, {
      display: 'block',
      width: '100%',
      height: '100%',
      border: '0',
      background: 'transparent',
      'color-scheme': 'normal',
    });
    iframe.addEventListener('load', function () {
      iframe.focus();
    });
    iframe.src = modalUrl(this.options);
    container.appendChild(iframe);
    this._bodyOverflow = parent.style.overflow;
    parent.style.overflow = 'hidden';
    window.addEventListener('message', this._onMessage);
    parent.appendChild(container);
    this._parent = parent;
    this._container = container;
    this._iframe = iframe;
    return this;
  };

  /** Closes the modal as the buyer's close button does: modal.ondismiss() is called. */
  Razorpay.prototype.close = function () {
    if (this._teardown()) this._dismissed();
    return this;
  };

  /** Subscribes to an event; the stand-in emits 'payment.failed'. */
  Razorpay.prototype.on = function (event, callback) {
    if (typeof event !== 'string') fail('on(event, callback): event must be a string');
    if (typeof callback !== 'function') fail('on(event, callback): callback must be a function');
    if (event !== 'payment.failed') {
      console.warn('Razorpay sandbox: event ' + event + ' is never emitted by the stand-in');
    }
    (this._listeners[event] = this._listeners[event] || []).push(callback);
    return this;
  };

  Razorpay.prototype._emit = function (event, payload) {
    (this._listeners[event] || []).slice().forEach(function (callback) {
      callback(payload);
    });
  };

  Razorpay.prototype._receive = function (event) {
    if (event.origin !== SANDBOX_ORIGIN) return;
    if (this._iframe === null || event.source !== this._iframe.contentWindow) return;
    const data = event.data;
    if (!isObject(data) || data.source !== MESSAGE_SOURCE) return;
    switch (data.type) {
      case 'payment.success': {
        const response = data.response;
        if (!isObject(response) || typeof response.razorpay_signature !== 'string') return;
        this._teardown();
        if (typeof this.options.handler === 'function') {
          this.options.handler({
            razorpay_payment_id: response.razorpay_payment_id,
            razorpay_order_id: response.razorpay_order_id,
            razorpay_signature: response.razorpay_signature,
          });
        }
        return;
      }
      case 'payment.failed':
        if (!isObject(data.error)) return;
        this._emit('payment.failed', { error: data.error });
        return;
      case 'dismiss':
        if (this._teardown()) this._dismissed();
        return;
      default:
    }
  };

  Razorpay.prototype._dismissed = function () {
    const modal = this.options.modal;
    if (modal && typeof modal.ondismiss === 'function') modal.ondismiss();
  };

  // Removes the overlay; false when it was not open.
  Razorpay.prototype._teardown = function () {
    if (this._container === null) return false;
    window.removeEventListener('message', this._onMessage);
    this._container.remove();
    this._parent.style.overflow = this._bodyOverflow;
    this._container = null;
    this._iframe = null;
    return true;
  };

  window.Razorpay = Razorpay;
})();
