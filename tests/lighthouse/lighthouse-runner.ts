import { writeFileSync } from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { generateReport, type Result } from 'lighthouse';
import {
  assertChromiumInstalled,
  CHROMIUM_FLAGS,
  CHROMIUM_PATH,
} from '../browser/system-chromium.ts';

// One Lighthouse run in Debian's Chromium with Lighthouse's DEFAULT config: mobile form factor
// and simulated throttling (150 ms RTT, 1.6 Mbps down, 4x CPU slowdown). Only the performance
// category is gathered, which leaves every metric as the full report computes it and skips the
// audits nobody reads here. Do not change the throttling: the page's budget is stated in it.

/** The figures of one run (or the medians of several). */
export interface LighthouseMetrics {
  /** Largest Contentful Paint, simulated, in ms. */
  lcpMs: number;
  /** First Contentful Paint, simulated, in ms. */
  fcpMs: number;
  /** Cumulative Layout Shift (unitless). */
  cls: number;
  /** Total Blocking Time, simulated, in ms. */
  tbtMs: number;
  /** Speed Index, simulated, in ms. */
  speedIndexMs: number;
  /** Performance score, 0..100 as the report shows it. */
  score: number;
}

/** One run: its figures and what they were taken with. */
export interface LighthouseRun extends LighthouseMetrics {
  /** The LCP element's HTML snippet, when Lighthouse found one. */
  lcpElement: string | undefined;
  lighthouseVersion: string;
  /** `Chromium 156.0.8078.114` (the user agent hides the minor version numbers). */
  browserVersion: string;
  /** Lighthouse's own CPU benchmark of this machine at the time of the run (higher is faster). */
  benchmarkIndex: number;
  finalUrl: string;
  /** Lighthouse's run warnings (a redirect, a slow machine …). */
  warnings: string[];
  /**
   * Audits that failed to run, as `id: message`. The metrics never are among them (the run throws
   * instead); Lighthouse 12.2.3's TraceElements gatherer fails on Chromium 156's traces, which
   * leaves the LCP element and layout-shift culprits unknown while every metric is computed.
   */
  erroredAudits: string[];
}

/**
 * Lighthouse's codes for a trace it failed to record ("Something went wrong with recording the
 * trace over your page load. Please run Lighthouse again."): a fault of the browser run, not of
 * the page, seen now and then with Chromium 156 on a busy machine (NO_NAVSTART right after the
 * heavy suites). Errors that can come from the page (no paint, a certificate, a page error) are
 * not among them.
 */
export const TRACE_RECORDING_ERRORS: ReadonlySet<string> = new Set([
  'NO_TRACING_STARTED',
  'TRACING_ALREADY_STARTED',
  'NO_NAVSTART',
  'NO_DCL',
  'NO_SPEEDLINE_FRAMES',
  'SPEEDINDEX_OF_ZERO',
]);

/** Lighthouse ran but could not measure the page; `code` is its runtime error code. */
export class LighthouseRunError extends Error {
  readonly code: string;

  constructor(url: string, code: string, message: string) {
    super(`Lighthouse could not measure ${url}: ${code} (${message})`);
    this.name = 'LighthouseRunError';
    this.code = code;
  }

  /** True when measuring again may succeed (the trace was not recorded). */
  get retryable(): boolean {
    return TRACE_RECORDING_ERRORS.has(this.code);
  }
}

export interface LighthouseOptions {
  /** Accept any certificate (the self-signed dev certificate). */
  ignoreCertificateErrors?: boolean;
  /** Defaults to Debian's /usr/bin/chromium. */
  chromePath?: string;
  /** Also write Lighthouse's HTML report here. */
  htmlReportPath?: string;
  /** Kills the browser, which ends the run with an error. */
  signal?: AbortSignal;
}

/**
 * Runs Lighthouse once against `url` in a freshly launched headless Chromium (its own temporary
 * profile, removed afterwards) and returns the performance figures. Throws when Lighthouse could
 * not measure the page (certificate refused, no paint, page error …).
 */
export async function runLighthouse(
  url: string,
  opts: LighthouseOptions = {},
): Promise<LighthouseRun> {
  const chromePath = opts.chromePath ?? CHROMIUM_PATH;
  assertChromiumInstalled(chromePath);
  opts.signal?.throwIfAborted();
  const chrome = await chromeLauncher.launch({
    chromePath,
    chromeFlags: [
      ...CHROMIUM_FLAGS,
      ...(opts.ignoreCertificateErrors ? ['--ignore-certificate-errors'] : []),
    ],
    logLevel: 'silent',
    // The caller decides what an interrupt stops (chrome-launcher's own handler exits at once).
    handleSIGINT: false,
  });
  const kill = () => chrome.kill();
  opts.signal?.addEventListener('abort', kill, { once: true });
  try {
    const browserVersion = await versionOf(chrome.port);
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance'],
    });
    if (!result) throw new Error('Lighthouse returned no result');
    const lhr = result.lhr;
    if (lhr.runtimeError) {
      throw new LighthouseRunError(url, lhr.runtimeError.code, lhr.runtimeError.message);
    }
    if (opts.htmlReportPath) writeFileSync(opts.htmlReportPath, generateReport(lhr, 'html'));
    if (process.env.LIGHTHOUSE_JSON)
      writeFileSync(process.env.LIGHTHOUSE_JSON, JSON.stringify(lhr));
    return { ...metricsOf(lhr), ...contextOf(lhr), browserVersion };
  } finally {
    opts.signal?.removeEventListener('abort', kill);
    kill();
  }
}

function metricsOf(lhr: Result): LighthouseMetrics {
  const numeric = (id: string): number => {
    const value = lhr.audits[id]?.numericValue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`Lighthouse reported no value for ${id}`);
    }
    return value;
  };
  const score = lhr.categories.performance?.score;
  if (typeof score !== 'number') throw new Error('Lighthouse reported no performance score');
  return {
    lcpMs: numeric('largest-contentful-paint'),
    fcpMs: numeric('first-contentful-paint'),
    cls: numeric('cumulative-layout-shift'),
    tbtMs: numeric('total-blocking-time'),
    speedIndexMs: numeric('speed-index'),
    score: Math.round(score * 100),
  };
}

function contextOf(lhr: Result): Omit<LighthouseRun, keyof LighthouseMetrics | 'browserVersion'> {
  return {
    lcpElement: findSnippet(lhr.audits['largest-contentful-paint-element']?.details),
    lighthouseVersion: lhr.lighthouseVersion,
    benchmarkIndex: lhr.environment.benchmarkIndex,
    finalUrl: lhr.finalDisplayedUrl,
    warnings: lhr.runWarnings.map(String),
    erroredAudits: Object.values(lhr.audits)
      .filter((a) => a.scoreDisplayMode === 'error')
      .map((a) => `${a.id}: ${a.errorMessage ?? 'no message'}`),
  };
}

// The DevTools endpoint names the full version; the user agent says 156.0.0.0.
async function versionOf(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/json/version`);
  const { Browser: browser } = (await res.json()) as { Browser?: string };
  return browser ? `Chromium ${browser.replace(/^[^/]*\//, '')}` : 'Chromium (version unknown)';
}

// The LCP element sits in a table inside a list in Lighthouse 12; search rather than index so a
// reshuffled report does not break the runner.
function findSnippet(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as { type?: unknown; snippet?: unknown };
  if (d.type === 'node' && typeof d.snippet === 'string') return d.snippet;
  for (const value of Object.values(details)) {
    const found = findSnippet(value);
    if (found !== undefined) return found;
  }
  return undefined;
}
