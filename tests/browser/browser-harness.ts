import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { AxeResults, ImpactValue, Result, RunOptions } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { assertChromiumInstalled, CHROMIUM_FLAGS, CHROMIUM_PATH } from './system-chromium.ts';

// Real-browser tests: Debian's headless Chromium driven by playwright-core.
//
//   let browser: BrowserHandle;
//   beforeAll(async () => { browser = await launchBrowser({ ignoreHTTPSErrors: true }); });
//   afterAll(() => browser?.close());
//
//   it('when a buyer opens the storefront, then it renders without errors', async () => {
//     const { page, problems } = await browser.newPage({ viewport: 'mobile' });
//     await page.goto(`${baseUrl}/demo`);
//     expect(await problems()).toEqual(NO_PROBLEMS); // console errors, page errors, CSP, dialogs
//     expect(await runAxe(page)).toEqual([]); // serious and critical accessibility violations
//     await screenshot(page, 'docs/screenshots/storefront-mobile.png');
//   });
//
// Each newPage() gets its own browser context (cookies, storage, viewport), so pages never share
// state. The browser runs with a fresh temporary profile that Playwright deletes on close().

/** Viewports of Lighthouse's mobile (Moto G Power) and desktop emulation, so screenshots match. */
export const VIEWPORTS = {
  mobile: { width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true },
  desktop: { width: 1350, height: 940, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
} as const satisfies Record<string, Viewport>;

/** A viewport and the device traits that go with it. */
export interface Viewport {
  width: number;
  height: number;
  deviceScaleFactor?: number;
  isMobile?: boolean;
  hasTouch?: boolean;
}

export interface LaunchOptions {
  /** Accept any certificate (the self-signed dev certificate of an HTTPS stack). */
  ignoreHTTPSErrors?: boolean;
  /** Defaults to Debian's /usr/bin/chromium. */
  executablePath?: string;
}

/** One `securitypolicyviolation` event, as the page saw it. */
export interface CspViolation {
  documentURI: string;
  violatedDirective: string;
  effectiveDirective: string;
  blockedURI: string;
  disposition: string;
  sourceFile: string;
  lineNumber: number;
  sample: string;
}

/** What went wrong on a page since it was opened. Every list is empty on a clean page. */
export interface PageProblems {
  /**
   * `console.error` calls and Chromium's own errors (failed loads, refused scripts), each followed
   * by the URL it came from in brackets. Chromium asks for /favicon.ico after the load event, so a
   * site without one gets a 404 here, sometimes only on a later `problems()`.
   */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections. */
  pageErrors: string[];
  /** `securitypolicyviolation` events from any frame (enforced and report-only policies). */
  cspViolations: CspViolation[];
  /** Console messages of any level that mention a Content Security Policy. */
  cspMessages: string[];
  /** alert/confirm/prompt dialogs the page opened (each dismissed): an injected script's mark. */
  dialogs: string[];
}

/** The value of `problems()` on a clean page, for `toEqual`. */
export const NO_PROBLEMS: Readonly<PageProblems> = Object.freeze({
  consoleErrors: [],
  pageErrors: [],
  cspViolations: [],
  cspMessages: [],
  dialogs: [],
});

/** A page with its problem collector. */
export interface WatchedPage {
  page: Page;
  /** The problems so far, once the page has delivered the events it had queued. */
  problems: () => Promise<PageProblems>;
}

/** A running browser; `close()` it in `afterAll`, whatever happened. */
export interface BrowserHandle {
  browser: Browser;
  /** A page in a fresh context, `mobile` by default. */
  newPage: (opts?: { viewport?: keyof typeof VIEWPORTS | Viewport }) => Promise<WatchedPage>;
  /** Closes every page and the browser, and removes its profile. Safe to call twice. */
  close: () => Promise<void>;
}

const REPORT_BINDING = '__browserHarnessReport';

// Runs in every frame before the page's own scripts. Init scripts and bindings go through the
// DevTools protocol, so the page's CSP does not block them.
const CSP_LISTENER = `(() => {
  const report = (v) => globalThis.${REPORT_BINDING}(v);
  globalThis.addEventListener('securitypolicyviolation', (e) => {
    report({
      kind: 'csp',
      documentURI: e.documentURI,
      violatedDirective: e.violatedDirective,
      effectiveDirective: e.effectiveDirective,
      blockedURI: e.blockedURI,
      disposition: e.disposition,
      sourceFile: e.sourceFile,
      lineNumber: e.lineNumber,
      sample: e.sample,
    });
  }, true);
})();`;

// A task queued after every event the page has queued so far, then a round trip through the
// binding: when it returns, earlier reports have reached this process.
const BARRIER = `new Promise((resolve) => setTimeout(resolve, 0)).then(() =>
  globalThis.${REPORT_BINDING}({ kind: 'barrier' }))`;

const CSP_TEXT = /content[- ]security[- ]policy/i;

/** Launches headless Chromium with the project's flags and a fresh temporary profile. */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<BrowserHandle> {
  const executablePath = opts.executablePath ?? CHROMIUM_PATH;
  assertChromiumInstalled(executablePath);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    // Playwright kills the browser if the test process is interrupted.
    handleSIGINT: true,
    handleSIGTERM: true,
    handleSIGHUP: true,
  });
  let closing: Promise<void> | undefined;
  return {
    browser,
    newPage: (pageOpts = {}) =>
      openWatchedPage(browser, pageOpts.viewport ?? 'mobile', opts.ignoreHTTPSErrors ?? false),
    close: () => (closing ??= browser.close()),
  };
}

async function openWatchedPage(
  browser: Browser,
  viewport: keyof typeof VIEWPORTS | Viewport,
  ignoreHTTPSErrors: boolean,
): Promise<WatchedPage> {
  const v = typeof viewport === 'string' ? VIEWPORTS[viewport] : viewport;
  const context: BrowserContext = await browser.newContext({
    viewport: { width: v.width, height: v.height },
    deviceScaleFactor: v.deviceScaleFactor ?? 1,
    isMobile: v.isMobile ?? false,
    hasTouch: v.hasTouch ?? false,
    ignoreHTTPSErrors,
    // Never bypassCSP: the tests are here to see the policy hold.
  });
  try {
    const found: PageProblems = {
      consoleErrors: [],
      pageErrors: [],
      cspViolations: [],
      cspMessages: [],
      dialogs: [],
    };
    await context.exposeBinding(REPORT_BINDING, (_source, report: unknown) => {
      if (isCspReport(report)) {
        const { kind: _kind, ...violation } = report;
        found.cspViolations.push(violation);
      }
    });
    await context.addInitScript({ content: CSP_LISTENER });
    const page = await context.newPage();
    page.on('console', (msg) => {
      const text = msg.text();
      if (CSP_TEXT.test(text)) found.cspMessages.push(text);
      // Chromium's "Failed to load resource" names no URL; its location does.
      const where = msg.location().url;
      if (msg.type() === 'error') found.consoleErrors.push(where ? `${text} [${where}]` : text);
    });
    page.on('pageerror', (err) => found.pageErrors.push(err.message));
    page.on('dialog', (dialog) => {
      found.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => undefined);
    });
    // The context goes with its page, so a test that closes a page frees everything.
    page.once('close', () => void context.close().catch(() => undefined));
    return {
      page,
      problems: async () => {
        if (!page.isClosed()) await page.evaluate(BARRIER);
        return structuredClone(found);
      },
    };
  } catch (err) {
    await context.close().catch(() => undefined);
    throw err;
  }
}

function isCspReport(v: unknown): v is CspViolation & { kind: 'csp' } {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'csp';
}

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Impacts that fail a test unless asked otherwise. */
export const SERIOUS_IMPACTS: readonly ImpactValue[] = ['serious', 'critical'];

/**
 * Runs axe-core on the page as it is now (or on the elements `within` selects) and returns its
 * violations of the given impacts, serious and critical by default. axe's source is evaluated
 * through the DevTools protocol, which the page's CSP does not govern, so the page keeps its real
 * policy while it is checked and `problems()` still reports only the page's own violations.
 */
export async function runAxe(
  page: Page,
  opts: { impacts?: readonly ImpactValue[]; within?: string; options?: RunOptions } = {},
): Promise<Result[]> {
  const impacts = opts.impacts ?? SERIOUS_IMPACTS;
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    ({ within, options }) => {
      const w = globalThis as unknown as {
        axe: { run(context: unknown, options: RunOptions): Promise<AxeResults> };
        document: unknown;
      };
      return w.axe.run(within ?? w.document, options);
    },
    { within: opts.within, options: opts.options ?? {} },
  );
  return results.violations.filter((v) => v.impact != null && impacts.includes(v.impact));
}

/** Saves a full-page PNG screenshot (creating the folder) and returns its path. */
export async function screenshot(
  page: Page,
  path: string,
  opts: { fullPage?: boolean } = {},
): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: opts.fullPage ?? true, animations: 'disabled' });
  return path;
}
