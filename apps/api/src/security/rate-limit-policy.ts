import { IMAGES_PATH } from '../images/image-names.ts';
import { STOREFRONT_PREFIX } from '../storefront/store-response.ts';

/** Which limiter a request goes through; `none` for the paths that are never limited. */
export type RateLimitPolicy = 'public' | 'auth' | 'webhook' | 'admin' | 'images' | 'none';

// Health checks and metrics: orchestrators and Prometheus must always get through. The pages'
// assets and Bull Board's static files are immutable, content-hashed and cheap: a buyer loading a
// page a few times must never meet a 429 for its script.
const UNLIMITED = /^\/(?:(?:healthz|readyz|metrics)\/?$|assets\/)/i;
const BOARD_STATIC = /^\/admin\/queues\/static\//i;
const WEBHOOKS = /^\/api\/v1\/webhooks(?:\/|$)/i;
const ADMIN = /^\/(?:api\/v1\/)?admin(?:\/|$)/i;
const AUTHENTICATED = /^\/api\/v1\/me(?:\/|$)/i;
// Public images (immutable, CDN-able) have their own generous budget: a page of images loaded a
// few times never spends the buyer's public budget (docs/security.md, "Images").
const IMAGES = new RegExp(`^${IMAGES_PATH}/`, 'i');

/**
 * The policy of a request path (case-insensitively, like Express routing): public images, webhooks,
 * admin (API and Bull Board), the authenticated `/api/v1/me` tree, nothing for the unlimited paths above,
 * and public for everything else (the storefront JSON and pages, checkout, order status, auth).
 */
export function rateLimitPolicyFor(path: string): RateLimitPolicy {
  // The storefront (the bulk of traffic) matches none of the patterns below.
  if (path.startsWith(STOREFRONT_PREFIX)) return 'public';
  if (IMAGES.test(path)) return 'images';
  if (UNLIMITED.test(path) || BOARD_STATIC.test(path)) return 'none';
  if (WEBHOOKS.test(path)) return 'webhook';
  if (ADMIN.test(path)) return 'admin';
  if (AUTHENTICATED.test(path)) return 'auth';
  return 'public';
}
