#!/usr/bin/env bash
# The test suite: set-up, the linter, then pytest. Tests that need ../shared skip when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
# Tests also read PDFs back (poppler-utils) and open workbooks and Word files in LibreOffice.
bash scripts/setup.sh chromium fonts-noto-cjk poppler-utils libreoffice-calc libreoffice-writer
echo "== ruff（代码检查）"
.venv/bin/ruff check jixiao tests benchmarks scripts
# One worker per core (pytest-xdist): the suite is half browsers, notebooks and subprocesses; tests marked
# xdist_group (the dashboard and lab servers) share one worker. -n 0 runs the suite serially.
exec .venv/bin/python -m pytest -q -n auto --dist loadgroup "$@"
