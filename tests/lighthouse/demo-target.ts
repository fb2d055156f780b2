import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { freePort } from '@storefront/devstack';
import { generateDevCert } from '../../scripts/gen-dev-cert.ts';
import { startDev } from '../dev/dev-process.ts';
import type { LighthouseTarget } from './fixture-target.ts';

const READY = /^\[dev\] Ctrl-C stops everything\.$/;

/**
 * What `make lighthouse` measures by default: the demo storefront page exactly as `make dev`
 * serves it — API over HTTPS with a freshly generated dev certificate, every stand-in started,
 * the demo creator seeded with product covers and an avatar uploaded through the image API.
 * The page and its images are fetched once before measuring, as they would be warm in every
 * API process minutes into a drop.
 */
export async function startDemoTarget(): Promise<LighthouseTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-lighthouse-'));
  const { certFile, keyFile } = generateDevCert(join(dir, 'certs'));
  const dev = startDev({
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    TLS_CERT_FILE: certFile,
    TLS_KEY_FILE: keyFile,
    API_PORT: String(await freePort()),
    WORKER_HEALTH_PORT: String(await freePort()),
  });
  const stop = async () => {
    dev.interrupt();
    const timer = setTimeout(() => dev.kill(), 30_000);
    await dev.exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await dev.waitForLine(READY, 180_000);
    const line = dev.lines.find((l) => l.startsWith('[dev]   demo storefront '));
    const url = line?.split(/\s+/)[3];
    if (!url) throw new Error('make dev printed no demo storefront URL');
    await warm(url, readFileSync(certFile, 'utf8'));
    return { url, label: 'demo storefront (make dev, HTTPS)', ignoreCertificateErrors: true, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Loads the page and every image it names once, trusting the dev certificate. */
async function warm(url: string, ca: string): Promise<void> {
  const dispatcher = new Agent({ connect: { ca } });
  try {
    const res = await fetch(url, { dispatcher });
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    const html = await res.text();
    const images = new Set([...html.matchAll(/\/img\/[\w-]+\.(?:avif|webp)/g)].map((m) => m[0]));
    for (const path of images) {
      const img = await fetch(new URL(path, url), { dispatcher });
      await img.arrayBuffer();
    }
  } finally {
    await dispatcher.close();
  }
}
