#!/usr/bin/env bash
# Installs Debian's chromium (/usr/bin/chromium) for the browser tests and `make lighthouse` when
# it is missing and the user may; otherwise explains how. Test tools' own browser downloads
# (`npx playwright install`, puppeteer's postinstall) cannot reach their hosts here, so the tests
# drive the OS browser through playwright-core and chrome-launcher instead.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
. "$(dirname "$0")/os-install.sh"
if can_apt_install; then
  echo "$CHROMIUM not found: installing Debian's chromium with apt-get"
  apt_install chromium
else
  echo "$CHROMIUM is required by the browser tests and 'make lighthouse' but is not installed," >&2
  echo "and this user cannot install it. Install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi
[ -x "$CHROMIUM" ] || { echo "$CHROMIUM still missing after install" >&2; exit 1; }
"$CHROMIUM" --version
