#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for browser tests, a CJK font so
# Chinese renders in screenshots and PDFs, poppler for looking at PDFs, gettext for
# translations. Installs only what is missing, so it costs nothing once done.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[[ "$(dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null)" == *"ok installed"* ]] || missing+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]} — run as root or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
