#!/usr/bin/env bash
# Installs redis-server with the OS package manager when the user may; otherwise explains how.
set -euo pipefail
. "$(dirname "$0")/os-install.sh"
if can_apt_install; then
  echo "redis-server not found: installing it with apt-get"
  apt_install redis-server
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
