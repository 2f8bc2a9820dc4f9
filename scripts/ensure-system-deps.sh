#!/bin/sh
# Installs the Debian packages the test suite needs, when they are missing:
#   chromium        the browser test loads the built custom-functions bundle in it
#   libxml2-utils   xmllint validates manifest.xml against the Office XSDs
#   libreoffice-calc-nogui  soffice renders every workbook the product writes to PDF
#   poppler-utils   pdftoppm and pdftotext turn those PDFs into PNG pages and text
#   fonts-crosextra-carlito  Calibri's metrics, so LibreOffice lays out the workbooks' default font as Excel does
# Runs as npm's pretest step, so `npm ci && npm test` works on a fresh machine.
set -e
missing=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-calc-nogui"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
[ -f /usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf ] || missing="$missing fonts-crosextra-carlito"
[ -z "$missing" ] && exit 0
echo "ensure-system-deps: installing$missing from Debian's packages" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "ensure-system-deps: need root (or sudo) to install$missing; install them and run again" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "ensure-system-deps: done" >&2
