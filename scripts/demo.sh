#!/usr/bin/env bash
# The main job on the bundled demo county: set-up, then ingest → (later: checks, metrics, briefs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/jixiao run "$@"
