#!/usr/bin/env bash
# Install the Debian packages the product needs, only those that are missing.
# ffmpeg: media probing and proxies; fonts-noto-cjk: Chinese in PDFs; poppler-utils: PDF checks in tests;
# chromium: browser tests; softhsm2: a PKCS#11 token for the ledger's signing-key tests. Needs root (or sudo) the first time; afterwards it does nothing.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# (grep without -q reads all input: with pipefail, -q would SIGPIPE the left side and look like "missing")
fc-list 2>/dev/null | grep -i "Noto Serif CJK SC\|Noto Sans CJK SC" >/dev/null || need+=(fonts-noto-cjk)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
# node: the browser ledger verifier's code (static/ledger/verify.js) is tested under Node.
command -v node >/dev/null 2>&1 || need+=(nodejs)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
# WeasyPrint's system libraries (present on most systems with fonts; listed for minimal images).
ldconfig -p 2>/dev/null | grep libpango-1.0 >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
