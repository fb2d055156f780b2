/** Where the sandbox serves its stand-in for `https://checkout.razorpay.com/v1/checkout.js`. */
export const CHECKOUT_SCRIPT_PATH = '/v1/checkout.js';

/** Prefix of the modal page, its assets and its pay endpoint. */
export const CHECKOUT_CONTROL_PREFIX = '/_sandbox/checkout/';

/** Ids of the modal page's controls, stable for Playwright/Puppeteer (`page.click(…)`). */
export const CHECKOUT_MODAL_SELECTORS = {
  /** The dialog; `data-state` is ready | processing | paid | failed | error | closed. */
  root: '#sandbox-checkout',
  pay: '#sandbox-pay',
  fail: '#sandbox-fail',
  close: '#sandbox-close',
  status: '#sandbox-status',
} as const;

/** Options of {@link checkoutScriptUrl}. */
export interface CheckoutScriptOptions {
  /**
   * `automatic` (default): Pay captures the payment, as on an account with automatic capture.
   * `manual`: Pay only authorizes it, as on an account with manual capture.
   */
  capture?: 'automatic' | 'manual';
}

/** The URL of the sandbox's `checkout.js` for a sandbox base URL (as `sandbox.url`). */
export function checkoutScriptUrl(sandboxUrl: string, options: CheckoutScriptOptions = {}): string {
  const url = new URL(`${sandboxUrl.replace(/\/+$/, '')}${CHECKOUT_SCRIPT_PATH}`);
  if (options.capture === 'manual') url.searchParams.set('capture', 'manual');
  return url.href;
}

/** True for the paths the checkout stand-in answers (served before `/v1` auth and faults). */
export function isCheckoutPath(pathname: string): boolean {
  return pathname === CHECKOUT_SCRIPT_PATH || pathname.startsWith(CHECKOUT_CONTROL_PREFIX);
}
