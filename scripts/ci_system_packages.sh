#!/usr/bin/env bash
# System packages the test suite needs (called by .ci/run when executable): Debian's Chromium for
# the Playwright browser tests, gettext for compiling translations, a CJK font for screenshots and the
# PDF letters, Pango for WeasyPrint (PDF letters), poppler-utils (pdftotext) for the PDF tests. Installs only what is missing.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
# A Chinese font, so the screenshots of the Chinese pages are legible.
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: chromium, gettext, poppler-utils, pango, a Chinese font"
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
