#!/usr/bin/env bash
# Make sure the browser check in tests/test_docs_site.py has a browser: Debian's chromium package
# (Playwright drives it through executable_path; `playwright install` needs a download we don't have).
# Installs it when missing and we are root with apt-get; otherwise says what it found. Idempotent.
set -uo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
    echo "chromium: found $CHROMIUM"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium: $CHROMIUM not found and cannot install it here (needs root and apt-get):" \
        "the browser check will be skipped (a failure under CI=true); install with: sudo apt-get install chromium"
    exit 0
fi

echo "chromium: $CHROMIUM not found, installing Debian's chromium with apt-get"
log="$(mktemp)"
if DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >>"$log" 2>&1 &&
    [ -x "$CHROMIUM" ]; then
    echo "chromium: installed $CHROMIUM"
    rm -f "$log"
else
    tail -n 20 "$log"
    echo "chromium: installing failed (log above): the browser check will be skipped" \
        "(a failure under CI=true)"
    rm -f "$log"
fi
exit 0
