import {
  htmlNotFoundResponse,
  htmlResponse,
  type StoreResponse,
} from '../storefront/store-response.ts';
import type { PageAssets } from './page-assets.ts';
import {
  renderNotFoundPage,
  renderOrderPage,
  renderStorePage,
  type StorefrontDocument,
  type StorePageContext,
} from './store-page.ts';

/** What the pages need from configuration. */
export interface StorePagesOptions {
  assets: PageAssets;
  /** RAZORPAY_CHECKOUT_URL. */
  checkoutUrl: string;
  /** RAZORPAY_API_BASE_URL: Standard Checkout frames and calls Razorpay's API origin. */
  razorpayApiUrl: string;
}

/**
 * The HTML pages: the storefront page rendered from the SAME cache entry as the storefront JSON
 * (so one fill and one invalidation serve both), the 404 page, the order page shell, and the
 * headers they carry instead of the API's (a Content-Security-Policy that allows our own script,
 * our inline stylesheet by hash, and Razorpay Checkout's script and frames — nothing else).
 */
export class StorePages {
  readonly notFound: StoreResponse;
  readonly order: StoreResponse;
  /**
   * The headers every page carries instead of the API's: its Content-Security-Policy, and
   * `Cross-Origin-Opener-Policy: same-origin-allow-popups` (Checkout may open a popup for 3-D
   * Secure or UPI and talk to it).
   */
  readonly headers: Readonly<Record<string, string>>;
  private readonly ctx: StorePageContext;
  // One page per cache entry: entries are replaced, never changed, so an entry's page is final.
  private readonly rendered = new WeakMap<StoreResponse, StoreResponse>();

  constructor(opts: StorePagesOptions) {
    this.ctx = { assets: opts.assets, checkoutUrl: opts.checkoutUrl };
    const razorpay = [...new Set([origin(opts.checkoutUrl), origin(opts.razorpayApiUrl)])].join(
      ' ',
    );
    const csp = [
      "default-src 'none'",
      `script-src 'self' ${opts.assets.bootHash} ${origin(opts.checkoutUrl)}`,
      `style-src ${opts.assets.cssHash}`,
      "img-src 'self' data:",
      `connect-src 'self' ${razorpay}`,
      `frame-src ${razorpay}`,
      "form-action 'self'",
      "base-uri 'none'",
      "object-src 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    this.headers = {
      'content-security-policy': csp,
      'cross-origin-opener-policy': 'same-origin-allow-popups',
    };
    this.notFound = htmlNotFoundResponse(renderNotFoundPage(opts.assets), this.headers);
    this.order = htmlResponse(renderOrderPage(opts.assets), this.headers);
  }

  /** The storefront page for a storefront cache entry (the 404 page for an unknown name). */
  pageFor(entry: StoreResponse): StoreResponse {
    if (entry.status !== 200) return this.notFound;
    let rendered = this.rendered.get(entry);
    if (rendered === undefined) {
      const doc = JSON.parse(entry.body.toString('utf8')) as StorefrontDocument;
      rendered = htmlResponse(renderStorePage(doc, this.ctx), this.headers);
      this.rendered.set(entry, rendered);
    }
    return rendered;
  }
}

function origin(url: string): string {
  return new URL(url).origin;
}
