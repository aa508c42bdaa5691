#!/usr/bin/env bash
# Regenerate requirements.lock from pyproject.toml (run after changing a dependency; commit both).
# The lock pins every package, direct and transitive, with hashes, for every platform (--universal),
# so a fresh machine next year installs exactly what the tests passed with.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
.venv/bin/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --generate-hashes \
  --no-header --quiet -o requirements.lock
echo "requirements.lock 已更新：$(grep -c '==' requirements.lock) 个软件包"
