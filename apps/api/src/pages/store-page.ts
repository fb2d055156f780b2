import type { PublicImage, PublicStorefront } from '../storefront/storefront-loader.ts';
import { escapeHtml, formatInr, page } from './html.ts';
import type { PageAssets } from './page-assets.ts';

/** The storefront document the page is rendered from (the cached JSON, parsed). */
export type StorefrontDocument = PublicStorefront;

/** What the storefront page needs besides the storefront itself. */
export interface StorePageContext {
  assets: PageAssets;
  /** Razorpay Standard Checkout's script, loaded on Buy intent. */
  checkoutUrl: string;
}

// Cards are one column on phones, two from ~38rem, three in the 64rem frame on desktops.
const CARD_SIZES = '(min-width: 64rem) 20rem, (min-width: 38rem) 50vw, 100vw';

function picture(
  img: PublicImage,
  alt: string,
  sizes: string,
  load: 'priority' | 'eager' | 'lazy',
): string {
  const sources = img.sources
    .map(
      (s) =>
        `<source type="${escapeHtml(s.type)}" srcset="${escapeHtml(s.srcset)}" sizes="${sizes}">`,
    )
    .join('');
  // The first card's image is the likely LCP element: fetched at once, at high priority. The
  // rest wait until they come near the viewport, and stay at low priority even when they are in
  // it, so that they do not compete with the LCP image for a slow phone's connections.
  const loading = {
    priority: 'fetchpriority="high" ',
    eager: '',
    lazy: 'loading="lazy" fetchpriority="low" ',
  }[load];
  return (
    `<picture>${sources}<img src="${escapeHtml(img.src)}" alt="${escapeHtml(alt)}" ` +
    `width="${img.width}" height="${img.height}" ${loading}decoding="async"></picture>`
  );
}

function avatar(doc: StorefrontDocument): string {
  const name = doc.creator.displayName;
  const img = doc.creator.avatar;
  // Lazy although above the fold: it is small and decorative, and an eager request here would
  // take the page's warm connection ahead of the first product image (the LCP element).
  if (img) return picture(img, name, '96px', 'lazy');
  const initial = Array.from(name.trim())[0]?.toUpperCase() ?? '?';
  return `<span class="avatar-ph" aria-hidden="true">${escapeHtml(initial)}</span>`;
}

function card(p: StorefrontDocument['products'][number], first: boolean): string {
  const media = p.image
    ? picture(p.image, p.title, CARD_SIZES, first ? 'priority' : 'lazy')
    : '<span class="ph" aria-hidden="true"></span>';
  const description = p.description ? `<p class="desc">${escapeHtml(p.description)}</p>` : '';
  return (
    `<li class="card">${media}<div class="body"><h3>${escapeHtml(p.title)}</h3>${description}` +
    `<div class="row"><span class="price">${formatInr(p.price)}</span>` +
    `<button type="button" data-product="${escapeHtml(p.id)}" data-title="${escapeHtml(p.title)}" ` +
    `aria-label="Buy ${escapeHtml(p.title)} for ${formatInr(p.price)}">Buy</button></div></div></li>`
  );
}

const BUY_DIALOG =
  '<dialog id="buy" aria-labelledby="buy-title"><form id="buy-form" novalidate>' +
  '<h2 id="buy-title">Buy <span id="buy-product"></span></h2>' +
  '<label for="buy-email">Email for your receipt and download</label>' +
  '<input id="buy-email" name="email" type="email" required autocomplete="email" maxlength="254">' +
  '<label for="buy-contact">Phone (optional)</label>' +
  '<input id="buy-contact" name="contact" type="tel" autocomplete="tel" maxlength="16" pattern="\\+?[0-9]{8,15}">' +
  '<p id="buy-msg" class="msg" role="status" aria-live="polite"></p>' +
  '<div class="actions"><button type="button" class="secondary" id="buy-cancel">Cancel</button>' +
  '<button id="buy-submit" type="submit">Continue to payment</button></div></form></dialog>';

/** The storefront page: creator, products with prices and images, Buy. Works without JS up to Buy. */
export function renderStorePage(doc: StorefrontDocument, ctx: StorePageContext): string {
  const { creator } = doc;
  const links = creator.links.length
    ? `<ul class="links">${creator.links
        .map(
          (l) =>
            `<li><a href="${escapeHtml(l.url)}" rel="nofollow noopener noreferrer">${escapeHtml(l.label)}</a></li>`,
        )
        .join('')}</ul>`
    : '';
  const bio = creator.bio ? `<p class="bio">${escapeHtml(creator.bio)}</p>` : '';
  const products = doc.products.length
    ? `<ul class="products">${doc.products.map((p, i) => card(p, i === 0)).join('')}</ul>`
    : '<p class="empty">Nothing for sale yet. Check back soon.</p>';
  const body =
    `<div class="wrap"><header class="creator">${avatar(doc)}<div><h1>${escapeHtml(creator.displayName)}</h1>` +
    `${bio}${links}</div></header><main><p id="page-msg" class="msg" role="status" aria-live="polite"></p>` +
    `<h2 class="muted">Products</h2>${products}</main></div>` +
    BUY_DIALOG;
  return page(
    {
      title: `${creator.displayName} · Storefront`,
      description: creator.bio || `${creator.displayName}'s storefront`,
      css: ctx.assets.css,
      boot: ctx.assets.bootScript,
      data: {
        username: creator.username,
        checkout: ctx.checkoutUrl,
        script: ctx.assets.scriptUrl('store.js'),
      },
    },
    body,
  );
}

/** The page for an unknown storefront (404). */
export function renderNotFoundPage(assets: PageAssets): string {
  return page(
    { title: 'Storefront not found', css: assets.css },
    '<div class="wrap"><main><h1>Storefront not found</h1>' +
      '<p class="muted">Check the link: there is no storefront at this address.</p></main></div>',
  );
}

/** The order page shell; its script fills it from the order status API. */
export function renderOrderPage(assets: PageAssets): string {
  return page(
    { title: 'Your order', css: assets.css, script: assets.scriptUrl('order.js') },
    '<div class="wrap"><main id="order" aria-busy="true" aria-live="polite">' +
      '<h1>Your order</h1><div class="status"><span class="skel w60"></span>' +
      '<span class="skel w40"></span></div></main></div>',
  );
}
