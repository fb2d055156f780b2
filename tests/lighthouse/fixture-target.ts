import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDevCert } from '../../scripts/gen-dev-cert.ts';
import { startFixtureServer } from '../browser/fixture-server.ts';

// A stand-in page for measuring the measuring: a bare HTML page whose largest paint is text, the
// kind of page the storefront issue quotes as a floor (about 0.75 s over plain HTTP with
// Lighthouse's mobile settings on this machine). It is not the storefront and its figures say
// nothing about the storefront; rows measured on it are labelled as the fixture.

/** What `make lighthouse` measures: a URL, how to label it, and how to stop what serves it. */
export interface LighthouseTarget {
  url: string;
  /** The row's Target column in docs/performance.md. */
  label: string;
  /** True when the target uses the self-signed dev certificate. */
  ignoreCertificateErrors: boolean;
  stop: () => Promise<void>;
}

const PRODUCTS = [
  ['Lightroom presets, vol. 1', 'Twelve presets for warm evening light, with a guide.'],
  ['Portrait retouching course', 'Three hours of video lessons and the practice files.'],
  ['Street photography e-book', 'Eighty pages on framing, timing and working with people.'],
  ['Mobile editing cheat sheet', 'A printable page of the edits used most, step by step.'],
  ['Monsoon LUT pack', 'Ten colour tables for video shot on grey, rainy days.'],
  ['One-to-one portfolio review', 'A forty-minute call going through twenty of your photos.'],
];

/** The fixture page: about 1.6 KB of HTML, no scripts, no images; its LCP is the heading block. */
export const FIXTURE_PAGE =
  '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
  '<title>Asha Rao: presets, courses and e-books</title>\n' +
  '<meta name="description" content="Digital products by Asha Rao, photographer in Pune.">\n' +
  '</head>\n<body>\n<main>\n<h1>Asha Rao</h1>\n' +
  '<p>Photographer in Pune. Presets, courses and e-books for people who shoot in natural light ' +
  'and edit on a phone as often as on a laptop. Every purchase is delivered by email at once, ' +
  'and every file stays in your order page for as long as you want to download it again. ' +
  'Prices include GST; cards, UPI and netbanking are accepted.</p>\n' +
  '<ul>\n' +
  PRODUCTS.map(([name, blurb]) => `<li><h2>${name}</h2><p>${blurb}</p><p>₹499</p></li>\n`).join(
    '',
  ) +
  '</ul>\n</main>\n<footer><p>Payments by Razorpay. Refunds within seven days of purchase. ' +
  'Questions and requests for custom work: hello@example.com</p></footer>\n' +
  '<p>New presets and lessons every month.</p>\n</body>\n</html>\n';

/**
 * Serves FIXTURE_PAGE at `/` on 127.0.0.1: over HTTPS with a dev certificate generated into a
 * temporary folder (as the storefront will be measured), or over plain HTTP when `https` is false
 * (to compare with the plain-HTTP figures).
 */
export async function startFixtureTarget(
  opts: { https?: boolean } = {},
): Promise<LighthouseTarget> {
  const https = opts.https ?? true;
  const routes = { '/': { body: FIXTURE_PAGE } };
  if (!https) {
    const server = await startFixtureServer(routes);
    return {
      url: `${server.origin}/`,
      label: 'fixture: bare 1.6 KB page, HTTP',
      ignoreCertificateErrors: false,
      stop: server.stop,
    };
  }
  const certDir = mkdtempSync(join(tmpdir(), 'lighthouse-cert-'));
  try {
    const cert = generateDevCert(certDir);
    const server = await startFixtureServer(routes, {
      tls: { cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) },
    });
    return {
      url: `${server.origin}/`,
      label: 'fixture: bare 1.6 KB page, HTTPS',
      ignoreCertificateErrors: true,
      stop: async () => {
        try {
          await server.stop();
        } finally {
          rmSync(certDir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(certDir, { recursive: true, force: true });
    throw err;
  }
}
