#!/usr/bin/env bash
# Installs redis-server with the OS package manager when the user may; otherwise explains how.
set -euo pipefail
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd="sudo -n"; else sudo_cmd=""; fi
fi
can_install() { [ "$(id -u)" -eq 0 ] || [ -n "$sudo_cmd" ]; }
if can_install && command -v apt-get >/dev/null 2>&1; then
  echo "redis-server not found: installing it with apt-get"
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null 2>&1 ||
    { $sudo_cmd apt-get update -q && $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server; }
elif can_install && command -v dnf >/dev/null 2>&1; then
  $sudo_cmd dnf install -y redis
elif command -v brew >/dev/null 2>&1; then
  brew install redis
else
  echo "redis-server is required by the tests and 'make dev' but is not installed, and this user cannot install it." >&2
  echo "Install it with: sudo apt-get install -y redis-server   (or: brew install redis)" >&2
  exit 1
fi
command -v redis-server >/dev/null 2>&1 || { echo "redis-server still not on PATH after install" >&2; exit 1; }
