import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevCert } from '../../scripts/gen-dev-cert.ts';
import {
  launchBrowser,
  NO_PROBLEMS,
  runAxe,
  screenshot,
  VIEWPORTS,
  type BrowserHandle,
} from './browser-harness.ts';
import { startFixtureServer, type FixtureServer } from './fixture-server.ts';

// The harness against pages whose faults are known, so each collector is seen to catch its fault
// and to stay empty on a clean page.

const STRICT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const csp = { 'content-security-policy': STRICT_CSP };

const page = (title: string, body: string) =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  `<title>${title}</title></head><body><main>${body}</main></body></html>`;

const PIXEL_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40"/></svg>';

const routes = {
  '/clean': {
    body: page(
      'Clean',
      '<h1>Clean page</h1><p id="status">static</p><img src="/pixel.svg" alt="A black square">' +
        '<script src="/app.js"></script>',
    ),
    headers: csp,
  },
  '/app.js': {
    body: "document.getElementById('status').textContent = 'script ran';",
    headers: { 'content-type': 'text/javascript; charset=utf-8' },
  },
  '/pixel.svg': { body: PIXEL_SVG, headers: { 'content-type': 'image/svg+xml' } },
  // Chromium asks for one after every load; a 404 would be a console error.
  '/favicon.ico': { body: PIXEL_SVG, headers: { 'content-type': 'image/svg+xml' } },
  // An escaped product title, as a correct template renders it.
  '/escaped': {
    body: page('Escaped', '<h1>&lt;img src=x onerror=alert(1)&gt;</h1>'),
    headers: csp,
  },
  // The same title unescaped, and an inline script: the policy must refuse both.
  '/violating': {
    body: page(
      'Violating',
      '<h1><img src=x onerror=alert(1)></h1><script>document.title = "inline ran"</script>',
    ),
    headers: csp,
  },
  '/no-csp-alert': { body: page('Alert', '<h1>Alert</h1><script>alert(1)</script>') },
  '/throws': {
    body: page('Throws', '<h1>Throws</h1><script src="/throw.js"></script>'),
    headers: csp,
  },
  '/throw.js': {
    body: "console.error('logged on purpose'); throw new Error('thrown on purpose');",
    headers: { 'content-type': 'text/javascript; charset=utf-8' },
  },
  '/inaccessible': {
    body: page('Inaccessible', '<h1>Shop</h1><img src="/pixel.svg"><button></button>'),
    headers: csp,
  },
};

describe('browser harness (headless Chromium through playwright-core)', () => {
  let server: FixtureServer;
  let browser: BrowserHandle;

  beforeAll(async () => {
    server = await startFixtureServer(routes);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('when a page keeps to its strict CSP, then no problem is reported', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(`${server.origin}/clean`);
    // A parser-blocking script from 'self' has run by the load event goto waits for.
    expect(await page.locator('#status').textContent()).toBe('script ran');
    expect(await problems()).toEqual(NO_PROBLEMS);
    await page.close();
  });

  it('when a title with markup is escaped, then it renders as text and nothing runs', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(`${server.origin}/escaped`);
    expect(await page.locator('h1').textContent()).toBe('<img src=x onerror=alert(1)>');
    expect(await page.locator('img').count()).toBe(0);
    expect(await problems()).toEqual(NO_PROBLEMS);
    await page.close();
  });

  it('when a page breaks its CSP, then each refused script is reported as a violation', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(`${server.origin}/violating`);
    const found = await problems();
    expect(await page.title()).toBe('Violating');
    expect(found.cspViolations.map((v) => v.effectiveDirective).sort()).toEqual([
      'script-src-attr',
      'script-src-elem',
    ]);
    expect(found.cspViolations.every((v) => v.disposition === 'enforce')).toBe(true);
    expect(found.cspMessages.length).toBeGreaterThanOrEqual(2);
    expect(found.dialogs).toEqual([]);
    await page.close();
  });

  it('when a page opens a dialog, then it is recorded and dismissed', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(`${server.origin}/no-csp-alert`);
    expect((await problems()).dialogs).toEqual(['alert: 1']);
    await page.close();
  });

  it('when a script logs an error and throws, then both are reported', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(`${server.origin}/throws`);
    const found = await problems();
    expect(found.consoleErrors).toEqual([`logged on purpose [${server.origin}/throw.js]`]);
    expect(found.pageErrors).toEqual(['thrown on purpose']);
    expect(found.cspViolations).toEqual([]);
    await page.close();
  });

  it('when a page has an image without alt and a nameless button, then axe reports both', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(`${server.origin}/inaccessible`);
    const violations = await runAxe(page);
    expect(violations.map((v) => v.id).sort()).toEqual(['button-name', 'image-alt']);
    expect(violations.every((v) => v.impact === 'critical' || v.impact === 'serious')).toBe(true);
    expect(await runAxe(page, { within: 'h1' })).toEqual([]);
    // Injecting axe under the page's strict CSP is neither refused nor reported.
    expect(await problems()).toEqual(NO_PROBLEMS);
    await page.close();
  });

  it('when a page is accessible, then axe reports no serious or critical violation', async () => {
    const { page, problems } = await browser.newPage({ viewport: 'desktop' });
    await page.goto(`${server.origin}/clean`);
    expect(await runAxe(page)).toEqual([]);
    expect(await problems()).toEqual(NO_PROBLEMS);
    await page.close();
  });

  it('when a screenshot is taken, then a PNG of the viewport width at its pixel ratio is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-shot-'));
    try {
      for (const name of ['mobile', 'desktop'] as const) {
        const { page } = await browser.newPage({ viewport: name });
        await page.goto(`${server.origin}/clean`);
        const file = await screenshot(page, join(dir, 'nested', `${name}.png`));
        const png = readFileSync(file);
        expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
        const v = VIEWPORTS[name];
        expect(png.readUInt32BE(16)).toBe(Math.round(v.width * v.deviceScaleFactor));
        await page.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('browser harness over HTTPS with the dev certificate', () => {
  const certDir = mkdtempSync(join(tmpdir(), 'harness-cert-'));
  let server: FixtureServer;
  const browsers: BrowserHandle[] = [];

  beforeAll(async () => {
    const cert = generateDevCert(certDir);
    server = await startFixtureServer(routes, {
      tls: { cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) },
    });
  });
  afterAll(async () => {
    await Promise.allSettled(browsers.map((b) => b.close()));
    await server?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('when certificate errors are not ignored, then the self-signed page is refused', async () => {
    const browser = await launchBrowser();
    browsers.push(browser);
    const { page } = await browser.newPage();
    await expect(page.goto(`${server.origin}/clean`)).rejects.toThrow(/ERR_CERT/);
  });

  it('when certificate errors are ignored, then the page loads with its CSP in force', async () => {
    const browser = await launchBrowser({ ignoreHTTPSErrors: true });
    browsers.push(browser);
    const { page, problems } = await browser.newPage();
    await page.goto(`${server.origin}/violating`);
    expect((await problems()).cspViolations).toHaveLength(2);
  });
});
