#!/usr/bin/env bash
# What the tests need on a fresh Debian machine: the npm packages (from the lock), Debian's Chromium for
# Playwright, and PostgreSQL's server binaries for the integration suite. apt-get runs only when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then need+=(chromium); fi
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=(); [ "$(id -u)" = "0" ] || sudo_cmd=(sudo)
  echo "installing with apt-get: ${need[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
npm ci --no-audit --no-fund
