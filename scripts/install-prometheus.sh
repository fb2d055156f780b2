#!/usr/bin/env bash
# Installs prometheus and promtool (Debian's `prometheus` package) when the user may; otherwise
# explains how. `make lint` checks the rules with promtool and `make test` runs a real Prometheus.
# The package's systemd service is neither needed nor started by the tests, which run their own
# prometheus process on a loopback port.
set -euo pipefail
. "$(dirname "$0")/os-install.sh"
if can_apt_install; then
  echo "prometheus/promtool not found: installing Debian's prometheus package with apt-get"
  # --no-install-recommends: only the two binaries are needed, not the node exporter. Where
  # systemd runs, the package also enables its own service; the tests never use it.
  apt_install --no-install-recommends prometheus
elif command -v brew >/dev/null 2>&1; then
  brew install prometheus
else
  echo "prometheus and promtool are required by 'make lint' and 'make test' but are not installed, and this user cannot install them." >&2
  echo "Install them with: sudo apt-get install -y prometheus   (or: brew install prometheus)" >&2
  exit 1
fi
for bin in prometheus promtool; do
  command -v "$bin" >/dev/null 2>&1 || { echo "$bin still not on PATH after install" >&2; exit 1; }
done
