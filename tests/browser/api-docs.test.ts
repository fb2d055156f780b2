import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '@storefront/api';
import { startTestApi } from '@storefront/test-support';
import { launchBrowser, NO_PROBLEMS, type BrowserHandle } from './browser-harness.ts';

describe('the API docs page in headless Chromium', () => {
  let api: RunningApi;
  let browser: BrowserHandle;
  beforeAll(async () => {
    api = await startTestApi();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('when /api/docs opens, then Swagger UI renders the operations with no CSP violation or error', async () => {
    const { page, problems } = await browser.newPage({ viewport: 'desktop' });
    await page.goto(`${api.url}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(30);
    expect(await page.locator('.info .title').textContent()).toContain('Creator storefront API');
    // Expanding operations renders their schemas, examples and models: still within the policy.
    for (const summary of (await page.locator('.opblock-summary').all()).slice(0, 3)) {
      await summary.click();
    }
    await page.locator('.opblock-body').first().waitFor();
    await page.locator('.models').scrollIntoViewIfNeeded();
    expect(await problems()).toEqual(NO_PROBLEMS);
  });
});
