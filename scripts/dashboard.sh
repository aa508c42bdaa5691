#!/usr/bin/env bash
# The dashboard for leadership and analysts (全县总览 + 指标查询) as a Voilà app: no code, Chinese UI.
#   bash scripts/dashboard.sh                                   # this machine only: http://127.0.0.1:8866/
#   JIXIAO_DASHBOARD_PORT=9000 bash scripts/dashboard.sh        # another port
#   JIXIAO_DASHBOARD_IP=0.0.0.0 bash scripts/dashboard.sh       # colleagues on the LAN: a token is required,
#                                                               # printed in the address (not visible in `ps`)
#   JIXIAO_PROCESSED=其他数据文件夹 bash scripts/dashboard.sh      # other data (default data/processed)
# Exports (Excel) go to reports/筛选导出 (JIXIAO_EXPORT_DIR, relative to this folder); only they are
# downloadable from the server, nothing else in the project folder is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

PORT="${JIXIAO_DASHBOARD_PORT:-8866}"
IP="${JIXIAO_DASHBOARD_IP:-127.0.0.1}"
export JIXIAO_PROCESSED="${JIXIAO_PROCESSED:-data/processed}"
export JIXIAO_EXPORT_DIR="${JIXIAO_EXPORT_DIR:-reports/筛选导出}"
export JIXIAO_DASHBOARD_ROOT="$ROOT"
# The jixiao Voilà template (share/jupyter/voila/templates/jixiao): Voilà's own, without CDN links.
export JUPYTER_PATH="$ROOT/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"

case "$JIXIAO_EXPORT_DIR" in
  /*|*..*) echo "错误：JIXIAO_EXPORT_DIR 须是本文件夹下的相对路径（现为 $JIXIAO_EXPORT_DIR）" >&2; exit 2 ;;
esac

[ "${JIXIAO_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
if [ ! -f "$JIXIAO_PROCESSED/department_summary.parquet" ] && [ ! -f "$ROOT/$JIXIAO_PROCESSED/department_summary.parquet" ]; then
  echo "提示：$JIXIAO_PROCESSED 中还没有指标数据。先运行 bash scripts/demo.sh（示范县）或 .venv/bin/jixiao run --raw 报送文件夹。" >&2
fi

# Only the export files may be fetched: a regular expression on the path below ROOT.
EXPORT_PATTERN="$(.venv/bin/python -c 'import re, sys; print(re.escape(sys.argv[1].strip("/")) + r"/[^/]+\.xlsx")' "$JIXIAO_EXPORT_DIR")"

CONFIG_DIR="$(mktemp -d)"
trap 'rm -rf "$CONFIG_DIR"' EXIT
HOST="$IP"
QUERY=""
case "$IP" in
  127.0.0.1|localhost|::1) ;;  # this machine only: no token needed
  *)
    # LAN: a per-start token in a private config file (never on the command line, so not in `ps`).
    TOKEN="$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')"
    .venv/bin/python -c 'import json, sys; json.dump({"Voila": {"token": sys.argv[1]}}, open(sys.argv[2], "w"))' \
      "$TOKEN" "$CONFIG_DIR/voila.json"
    chmod 600 "$CONFIG_DIR/voila.json"
    QUERY="?token=$TOKEN"
    [ "$IP" = "0.0.0.0" ] && HOST="$(hostname -I 2>/dev/null | awk '{print $1}')" && HOST="${HOST:-$(hostname)}"
    echo "注意：看板将对局域网开放，凭下面地址中的口令访问；口令每次启动都不同。不要把地址发到局域网以外。"
    ;;
esac
echo "== 启动看板（按 Ctrl+C 停止）。在浏览器中打开："
echo "   http://$HOST:$PORT/$QUERY"
# port_retries=0: a busy port fails loudly instead of silently moving away from the URL above.
.venv/bin/voila notebooks/dashboard.ipynb --no-browser --port="$PORT" --Voila.ip="$IP" \
  --Voila.port_retries=0 --Voila.root_dir="$ROOT" --Voila.config_file_paths="$CONFIG_DIR" \
  --VoilaConfiguration.file_allowlist="$EXPORT_PATTERN" --strip_sources=True --theme=light --template=jixiao \
  --preheat_kernel=True --pool_size=1
