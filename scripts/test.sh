#!/usr/bin/env bash
# The test suite: set-up, then pytest. Tests that need ../shared skip when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
# Tests also read PDFs back (poppler-utils) and open workbooks in LibreOffice.
bash scripts/setup.sh chromium fonts-noto-cjk poppler-utils libreoffice-calc libreoffice-writer
exec .venv/bin/python -m pytest -q "$@"
