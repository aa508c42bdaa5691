#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine with Python 3.11:
#   - Debian packages passed as arguments, when missing (apt-get; needs root or sudo)
#   - the virtual environment .venv holding exactly the locked packages (requirements.lock, with hashes,
#     made from pyproject.toml by scripts/lock.sh) and jixiao itself in editable mode
# Re-running is cheap: nothing is installed again unless requirements.lock or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${JIXIAO_VENV:-.venv}"
STAMP="$VENV/.setup-stamp"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "需要管理员权限安装系统软件包：$*" >&2; return 1; fi
}

apt_updated=""
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== 安装系统软件包：${missing[*]}"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

command -v "$PYTHON" >/dev/null || ensure_debian_packages python3
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' \
  || { echo "需要 Python 3.11 或更高版本" >&2; exit 1; }
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || ensure_debian_packages python3-venv

if [ "$#" -gt 0 ]; then ensure_debian_packages "$@"; fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "== 创建虚拟环境 $VENV"
  "$PYTHON" -m venv "$VENV"
fi
want="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  echo "== 按 requirements.lock 安装 Python 依赖（首次约需 1 分钟）"
  log="$VENV/install.log"
  uv_pin="$(grep -m1 -o '^uv==[^ ;]*' requirements.lock)"
  # --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set, every kernel and worker would otherwise
  # recompile ~650 modules at start (importing jixiao + papermill: 4.4-5.0 s CPU, 2.5 s with bytecode).
  {
    "$VENV/bin/python" -m pip install --quiet "$uv_pin" &&
    "$VENV/bin/uv" pip sync --python "$VENV/bin/python" --require-hashes --compile-bytecode requirements.lock &&
    "$VENV/bin/uv" pip install --python "$VENV/bin/python" --no-deps -e .
  } > "$log" 2>&1 || { tail -n 40 "$log" >&2; echo "依赖安装失败，完整记录见 $log" >&2; exit 1; }
  echo "$want" > "$STAMP"
fi
