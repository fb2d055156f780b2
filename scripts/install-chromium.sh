#!/usr/bin/env bash
# Installs Debian's chromium (/usr/bin/chromium) for the browser tests and `make lighthouse` when
# it is missing and the user may; otherwise explains how. Test tools' own browser downloads
# (`npx playwright install`, puppeteer's postinstall) cannot reach their hosts here, so the tests
# drive the OS browser through playwright-core and chrome-launcher instead.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd="sudo -n"; else sudo_cmd=""; fi
fi
can_install() { [ "$(id -u)" -eq 0 ] || [ -n "$sudo_cmd" ]; }
if can_install && command -v apt-get >/dev/null 2>&1; then
  echo "$CHROMIUM not found: installing Debian's chromium with apt-get"
  # Try without refreshing the package lists first (fast in CI images that have them).
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 ||
    { $sudo_cmd apt-get update -q &&
      $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
else
  echo "$CHROMIUM is required by the browser tests and 'make lighthouse' but is not installed," >&2
  echo "and this user cannot install it. Install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi
[ -x "$CHROMIUM" ] || { echo "$CHROMIUM still missing after install" >&2; exit 1; }
"$CHROMIUM" --version
