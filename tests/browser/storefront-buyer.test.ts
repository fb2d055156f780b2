import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '@storefront/api';
import { CHECKOUT_MODAL_SELECTORS } from '@storefront/devstack';
import { deliveryModel, orderModel, webhookEventModel, type Order } from '@storefront/shared';
import {
  eventually,
  sellingCreator,
  startStack,
  type SeededCreator,
  type Stack,
} from '@storefront/test-support';
import sharp from 'sharp';
import {
  launchBrowser,
  NO_PROBLEMS,
  runAxe,
  screenshot,
  type BrowserHandle,
  type WatchedPage,
} from './browser-harness.ts';

// A buyer in headless Chromium against the real stack (API, worker, Razorpay sandbox with its
// Standard Checkout stand-in, local S3): opens a creator's page on a phone-sized screen, buys
// through Checkout, sees the order become paid and downloads the file. Set SCREENSHOTS_DIR to
// save the page's mobile and desktop screenshots (docs/screenshots is where they are kept).

// Browser globals for callbacks run in the page (this project is type-checked without the DOM
// library; the casts vanish when the callback is sent to the browser).
interface InPage {
  document: {
    body: { dataset: Record<string, string | undefined> };
    documentElement: { scrollWidth: number; clientWidth: number };
    activeElement: unknown;
    querySelectorAll(selector: string): ArrayLike<unknown>;
  };
  getComputedStyle(el: unknown): { outlineStyle: string; animationName: string };
}

const PHONE = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const HOSTILE = '<img src=x onerror=alert(1)>';

let stack: Stack;
let browser: BrowserHandle;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  stack = await startStack({ RATE_LIMIT_AUTH_PER_MIN: '100000' });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function open(viewport: typeof PHONE | 'desktop' = PHONE): Promise<WatchedPage> {
  const p = await browser.newPage({ viewport });
  pages.push(p);
  return p;
}

/** A creator selling one product with a cover image and a downloadable file. */
async function shop(
  file: Buffer,
  opts: { title?: string; photo?: boolean } = {},
): Promise<SeededCreator & { token: string }> {
  const seeded = await sellingCreator(stack, { uploadFile: file });
  const token = await new TokenService(stack.config).issue(seeded.creator.id);
  // A flat colour by default (quick to process); `photo`: detail like a real cover's, which the
  // browser counts as a largest-paint candidate (it skips images this plain).
  const cover = await sharp({
    create: {
      width: 1200,
      height: 900,
      channels: 3,
      background: '#5b2bd6',
      ...(opts.photo ? { noise: { type: 'gaussian' as const, mean: 128, sigma: 40 } } : {}),
    },
  })
    .jpeg()
    .toBuffer();
  const up = await fetch(`${stack.api.url}/api/v1/me/products/${seeded.product.id}/image`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' },
    body: cover,
  });
  expect(up.status).toBe(200);
  if (opts.title !== undefined) {
    const res = await fetch(`${stack.api.url}/api/v1/me/products/${seeded.product.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: opts.title }),
    });
    expect(res.status).toBe(200);
  }
  return { ...seeded, token };
}

/** Our order as the checkout API created it for this page, once it has. */
function checkoutResponses(page: Page): Array<{ orderId: string; accessToken: string }> {
  const seen: Array<{ orderId: string; accessToken: string }> = [];
  page.on('response', (res) => {
    if (/\/api\/v1\/store\/[^/]+\/products\/[^/]+\/checkout$/.test(res.url()) && res.ok()) {
      res.json().then(
        (body: { orderId: string; accessToken: string }) => seen.push(body),
        () => undefined,
      );
    }
  });
  return seen;
}

/** Buy → e-mail → Continue: Checkout's modal opens; returns its frame. */
async function startBuying(page: Page, productId: string): Promise<Frame> {
  await page.locator(`button[data-product="${productId}"]`).click();
  const dialog = page.locator('dialog#buy');
  await expect
    .poll(() => dialog.evaluate((d) => (d as unknown as { open: boolean }).open))
    .toBe(true);
  await page.locator('#buy-email').fill('buyer@example.test');
  await page.locator('#buy-submit').click();
  const frameElement = await page.waitForSelector('iframe[src*="/_sandbox/checkout/modal"]');
  const frame = await frameElement.contentFrame();
  if (!frame) throw new Error('Checkout modal has no frame');
  await frame.waitForSelector(`${CHECKOUT_MODAL_SELECTORS.root}[data-state="ready"]`);
  return frame;
}

async function downloadBytes(page: Page): Promise<Buffer> {
  const link = page.locator('#download');
  await link.waitFor({ timeout: 30_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return readFileSync(await download.path());
}

const deliveriesOf = (orderId: string) =>
  deliveryModel(stack.api.deps.mongo).countDocuments({ orderId }).exec();

describe('buying in a real browser', () => {
  it('when a buyer on a phone opens the page, pays in Checkout and waits, then the order page shows paid and the file downloads', async () => {
    const file = Buffer.from('%PDF-1.4\nthe buyer gets exactly this\n%%EOF\n');
    const seeded = await shop(file);
    const { page, problems } = await open();
    const orders = checkoutResponses(page);
    await page.goto(`${stack.api.url}/${seeded.creator.username}`);
    await expect.poll(() => page.locator('h3').first().textContent()).toBe(seeded.product.title);
    expect(await page.locator('.price').first().textContent()).toBe('₹499');

    const modal = await startBuying(page, seeded.product.id);
    await modal.click(CHECKOUT_MODAL_SELECTORS.pay);
    await page.waitForURL(/\/orders\/[0-9a-f]{24}#token=/);
    await expect.poll(() => page.locator('[data-status]').getAttribute('data-status')).toBe('paid');
    expect((await downloadBytes(page)).equals(file)).toBe(true);
    expect(orders).toHaveLength(1);
    expect(await deliveriesOf(orders[0]!.orderId)).toBe(1);
    expect(await problems()).toEqual(NO_PROBLEMS);
  });

  it('when a payment fails, then the reason shows, and a retry in the same modal pays the order once', async () => {
    const file = Buffer.from('%PDF-1.4\nretry\n%%EOF\n');
    const seeded = await shop(file);
    const { page, problems } = await open();
    const orders = checkoutResponses(page);
    await page.goto(`${stack.api.url}/${seeded.creator.username}`);
    const modal = await startBuying(page, seeded.product.id);
    await modal.click(CHECKOUT_MODAL_SELECTORS.fail);
    await expect.poll(() => page.locator('#page-msg').textContent()).toMatch(/^Payment failed: .+/);
    await modal.click(CHECKOUT_MODAL_SELECTORS.pay);
    await page.waitForURL(/\/orders\//);
    expect((await downloadBytes(page)).equals(file)).toBe(true);
    const orderId = orders[0]!.orderId;
    expect(orders).toHaveLength(1);
    const order = await orderModel(stack.api.deps.mongo).findById(orderId).lean<Order>().exec();
    expect(order?.status).toBe('paid');
    expect(await deliveriesOf(orderId)).toBe(1);
    expect(await problems()).toEqual(NO_PROBLEMS);
  });

  it('when the tab is closed right after paying, then the order still becomes paid and the reopened order page shows the download', async () => {
    const started = Date.now();
    const file = Buffer.from('%PDF-1.4\nclosed tab\n%%EOF\n');
    const seeded = await shop(file);
    const { page } = await open();
    const orders = checkoutResponses(page);
    // The tab dies before our callback can be posted: only webhooks (or reconciliation) remain.
    await page.route('**/api/v1/orders/*/payment', (route) => route.abort());
    await page.goto(`${stack.api.url}/${seeded.creator.username}`);
    const modal = await startBuying(page, seeded.product.id);
    const paid = page.waitForRequest('**/api/v1/orders/*/payment');
    await modal.click(CHECKOUT_MODAL_SELECTORS.pay);
    await paid;
    await page.close();

    const { orderId, accessToken } = orders[0]!;
    await eventually(
      async () =>
        (await orderModel(stack.api.deps.mongo).findById(orderId).lean<Order>().exec())?.status ===
        'paid',
      // Long enough for one retry on the webhook schedule (the first after 30 s): a capture whose
      // first processing failed on a loaded machine is still paid, as in production.
      { what: 'order paid by the webhook', timeoutMs: 45_000 },
    ).catch(async (err: unknown) => {
      // What the inbox holds of this payment's events says which step did not happen.
      const events = await webhookEventModel(stack.api.deps.mongo)
        .find(
          { receivedAt: { $gte: new Date(started) } },
          { event: 1, status: 1, attempts: 1, lastError: 1 },
        )
        .lean()
        .exec();
      throw new Error(`${String(err)}; inbox since the test began: ${JSON.stringify(events)}`);
    });
    const again = await open();
    await again.page.goto(`${stack.api.url}/orders/${orderId}#token=${accessToken}`);
    expect((await downloadBytes(again.page)).equals(file)).toBe(true);
    expect(await deliveriesOf(orderId)).toBe(1);
    expect(await again.problems()).toEqual(NO_PROBLEMS);
  }, 75_000); // the wait for the webhook (45 s) reports itself before the test times out

  it('when the buyer closes Checkout without paying, then the order stays pending and the buy dialog is back', async () => {
    const seeded = await shop(Buffer.from('%PDF-1.4\n%%EOF\n'));
    const { page, problems } = await open();
    const orders = checkoutResponses(page);
    await page.goto(`${stack.api.url}/${seeded.creator.username}`);
    const modal = await startBuying(page, seeded.product.id);
    await modal.click(CHECKOUT_MODAL_SELECTORS.close);
    await expect.poll(() => page.locator('#page-msg').textContent()).toMatch(/window closed/);
    await expect
      .poll(() =>
        page.locator('dialog#buy').evaluate((d) => (d as unknown as { open: boolean }).open),
      )
      .toBe(true);
    const order = await orderModel(stack.api.deps.mongo)
      .findById(orders[0]!.orderId)
      .lean<Order>()
      .exec();
    expect(order?.status).toBe('pending');
    expect(await problems()).toEqual(NO_PROBLEMS);
  });

  it('when a product title is markup, then it renders as text, no script runs and no CSP violation is reported', async () => {
    const seeded = await shop(Buffer.from('%PDF-1.4\n%%EOF\n'), { title: HOSTILE });
    const { page, problems } = await open('desktop');
    await page.goto(`${stack.api.url}/${seeded.creator.username}`);
    await page.waitForLoadState('load');
    expect(await page.locator('h3').first().textContent()).toBe(HOSTILE);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    // The page script arrives after load; let it run, then nothing may have been reported.
    await page.waitForFunction(
      () => (globalThis as unknown as InPage).document.body.dataset.ready === '1',
    );
    expect(await problems()).toEqual(NO_PROBLEMS);
  });
});

describe('the pages for every buyer', () => {
  let seeded: SeededCreator & { token: string };
  beforeAll(async () => {
    seeded = await shop(Buffer.from('%PDF-1.4\n%%EOF\n'));
  });

  it('when axe checks the storefront and order pages, then it finds no serious or critical violation', async () => {
    const { page } = await open();
    await page.goto(`${stack.api.url}/${seeded.creator.username}`);
    await page.waitForFunction(
      () => (globalThis as unknown as InPage).document.body.dataset.ready === '1',
    );
    expect(await runAxe(page)).toEqual([]);
    await page.locator(`button[data-product="${seeded.product.id}"]`).click();
    expect(await runAxe(page)).toEqual([]); // with the buy dialog open
    const order = await open();
    await order.page.goto(`${stack.api.url}/orders/0123456789abcdef01234567#token=x`);
    await order.page.waitForSelector('main[aria-busy="false"]');
    expect(await runAxe(order.page)).toEqual([]);
  });

  it('when the page loads on a phone, then its script is requested only after the first cover has painted', async () => {
    // A request started before the largest paint counts against it on a slow phone (and in
    // Lighthouse): the inline loader waits for the cover's largest-contentful-paint entry.
    const photo = await shop(Buffer.from('%PDF-1.4\n%%EOF\n'), { photo: true });
    const { page, problems } = await open();
    await page.goto(`${stack.api.url}/${photo.creator.username}`);
    await page.waitForFunction(
      () => (globalThis as unknown as InPage).document.body.dataset.ready === '1',
    );
    const timing = await page.evaluate(
      () =>
        new Promise<{ cover: number | null; script: number | null }>((resolve) => {
          const g = globalThis as unknown as {
            document: { querySelector(s: string): unknown };
            performance: {
              getEntriesByType(t: string): Array<{ name: string; startTime: number }>;
            };
            PerformanceObserver: new (
              cb: (list: { getEntries(): Array<{ element: unknown; startTime: number }> }) => void,
            ) => { observe(o: object): void; disconnect(): void };
          };
          const img = g.document.querySelector('img[fetchpriority="high"]');
          const script = g.performance
            .getEntriesByType('resource')
            .find((e) => e.name.includes('/assets/store.'));
          const observer = new g.PerformanceObserver((list) => {
            const entry = list.getEntries().find((e) => e.element === img);
            observer.disconnect();
            resolve({ cover: entry ? entry.startTime : null, script: script?.startTime ?? null });
          });
          observer.observe({ type: 'largest-contentful-paint', buffered: true });
        }),
    );
    expect(timing.cover).not.toBeNull();
    expect(timing.script).not.toBeNull();
    expect(timing.script as number).toBeGreaterThanOrEqual(timing.cover as number);
    // The cover is the first card's image: fetched at high priority, not lazily.
    expect(await page.locator('img[fetchpriority="high"]').getAttribute('loading')).toBeNull();
    expect(await problems()).toEqual(NO_PROBLEMS);
  });

  it('when a keyboard user tabs to Buy, then it shows a visible focus and Enter opens the dialog', async () => {
    const { page } = await open('desktop');
    await page.goto(`${stack.api.url}/${seeded.creator.username}`);
    const buy = page.locator(`button[data-product="${seeded.product.id}"]`);
    for (
      let i = 0;
      i < 10 &&
      !(await buy.evaluate((b) => b === (globalThis as unknown as InPage).document.activeElement));
      i++
    ) {
      await page.keyboard.press('Tab');
    }
    expect(
      await buy.evaluate((b) => b === (globalThis as unknown as InPage).document.activeElement),
    ).toBe(true);
    const outline = await buy.evaluate(
      (b) => (globalThis as unknown as InPage).getComputedStyle(b).outlineStyle,
    );
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect
      .poll(() =>
        page.locator('dialog#buy').evaluate((d) => (d as unknown as { open: boolean }).open),
      )
      .toBe(true);
  });

  it('when the screen is 320 px wide or reduced motion is asked for, then nothing overflows and nothing animates', async () => {
    const { page } = await open({ ...PHONE, width: 320 });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(`${stack.api.url}/${seeded.creator.username}`);
    const overflow = await page.evaluate(() => {
      const root = (globalThis as unknown as InPage).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBe(0);
    const order = await open({ ...PHONE, width: 320 });
    await order.page.emulateMedia({ reducedMotion: 'reduce' });
    await order.page.route('**/api/v1/orders/*', () => undefined); // stays loading: skeletons
    await order.page.goto(`${stack.api.url}/orders/0123456789abcdef01234567#token=x`);
    const animations = await order.page.evaluate(() =>
      Array.from((globalThis as unknown as InPage).document.querySelectorAll('.skel')).map(
        (e) => (globalThis as unknown as InPage).getComputedStyle(e).animationName,
      ),
    );
    expect(animations.length).toBeGreaterThan(0);
    expect(animations.every((a) => a === 'none')).toBe(true);
  });

  it('when the page is shown on a phone and a desktop, then it can be captured for the docs', async () => {
    const dir = process.env.SCREENSHOTS_DIR;
    for (const [name, viewport] of [
      ['storefront-mobile', PHONE],
      ['storefront-desktop', 'desktop'],
    ] as const) {
      const { page, problems } = await open(viewport);
      await page.goto(`${stack.api.url}/${seeded.creator.username}`);
      await page.waitForLoadState('networkidle');
      if (dir) await screenshot(page, join(dir, `${name}.png`), { fullPage: false });
      expect(await problems()).toEqual(NO_PROBLEMS);
    }
  });
});
