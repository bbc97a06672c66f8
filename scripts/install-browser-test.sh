#!/usr/bin/env bash
# Installs the browser-test tooling: playwright-core from npm, exactly as
# tests/browser/package-lock.json pins it (npm ci checks each package's integrity hash).
# Playwright drives Debian's /usr/bin/chromium (install-deps.sh); it never downloads a browser.
set -euo pipefail

cd "$(dirname "$0")/../tests/browser"
if [ -f node_modules/.package-lock.json ] && cmp -s package-lock.json node_modules/.lantai-installed-lock 2>/dev/null; then
  exit 0  # installed from this very lock file
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund --ignore-scripts
cp package-lock.json node_modules/.lantai-installed-lock
