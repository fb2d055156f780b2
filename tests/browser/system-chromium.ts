import { accessSync, constants } from 'node:fs';

// The one Chromium every browser test and Lighthouse run uses: Debian's package, installed by
// `make chromium` (scripts/install-chromium.sh). Test tools' own browser downloads cannot reach
// their hosts from this workplace, so nothing here downloads a browser.

/** Debian's Chromium (`apt-get install chromium`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for every headless run. The network ones matter: without them Chromium keeps opening
 * connections to Google's hosts, which this machine's closed network refuses many at a time,
 * and that traffic would compete with the page under test. `--no-sandbox` because CI runs as root.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Throws a message that says how to install Chromium when `path` is not an executable. */
export function assertChromiumInstalled(path: string = CHROMIUM_PATH): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `${path} not found: run \`make chromium\` (apt-get install -y chromium) before browser tests`,
    );
  }
}
