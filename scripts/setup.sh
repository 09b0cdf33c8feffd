#!/usr/bin/env bash
# Installs what Cirrus needs on a fresh Debian machine, skipping what is already there.
#   scripts/setup.sh run    what `make run` needs
#   scripts/setup.sh test   what `make test` needs as well (PostgreSQL, Chromium, Python's cryptography)
set -euo pipefail
purpose=${1:-run}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.3 or newer) is not on PATH; install it from swift.org first." >&2
  exit 1
fi

# libpoppler-glib-dev: PDF text extraction (linked into the binary).
packages=(ca-certificates pkg-config libpoppler-glib-dev)
if [ "$purpose" = "test" ]; then
  # poppler-utils: pdftotext, the yardstick of the import benchmark; LibreOffice: a second producer
  # of the documents the extraction tests read.
  packages+=(postgresql chromium chromium-driver fonts-dejavu-core python3 python3-pip poppler-utils libreoffice-writer-nogui)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

pip_install() {
  python3 -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}

if [ "$purpose" = "test" ]; then
  # Fernet interoperability is checked against Python's reference implementation, and the
  # sandbox against the providers' official client libraries.
  python3 -c "import cryptography.fernet" 2>/dev/null || { echo "Installing Python's cryptography"; pip_install cryptography; }
  python3 -c "import googleapiclient.discovery, google.oauth2.credentials" 2>/dev/null \
    || { echo "Installing google-api-python-client"; pip_install google-api-python-client; }
  python3 -c "import atlassian" 2>/dev/null || { echo "Installing atlassian-python-api"; pip_install atlassian-python-api; }
  # Other producers of the formats Cirrus extracts.
  python3 -c "import docx, openpyxl, pptx, fpdf" 2>/dev/null \
    || { echo "Installing python-docx, openpyxl, python-pptx, fpdf2"; pip_install python-docx openpyxl python-pptx fpdf2; }
fi
