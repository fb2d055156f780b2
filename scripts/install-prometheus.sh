#!/usr/bin/env bash
# Installs prometheus and promtool (Debian's `prometheus` package) when the user may; otherwise
# explains how. `make lint` checks the rules with promtool and `make test` runs a real Prometheus.
# The package's systemd service is neither needed nor started by the tests, which run their own
# prometheus process on a loopback port.
set -euo pipefail
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd="sudo -n"; else sudo_cmd=""; fi
fi
can_install() { [ "$(id -u)" -eq 0 ] || [ -n "$sudo_cmd" ]; }
if can_install && command -v apt-get >/dev/null 2>&1; then
  echo "prometheus/promtool not found: installing Debian's prometheus package with apt-get"
  # --no-install-recommends: only the two binaries are needed, not the node exporter. Where
  # systemd runs, the package also enables its own service; the tests never use it.
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 ||
    { $sudo_cmd apt-get update -q && $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus; }
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
