#!/usr/bin/env bash
# The main job on the bundled demo county: set-up, then ingest → checks → metrics → briefs.
set -euo pipefail
cd "$(dirname "$0")/.."
# Chromium prints the PDF briefs and exports charts; Noto CJK gives them Chinese glyphs.
bash scripts/setup.sh chromium fonts-noto-cjk
exec .venv/bin/jixiao run "$@"
