#!/usr/bin/env bash
# Start JupyterLab on notebooks/ (running the set-up first when needed); the explorer is explore.ipynb.
#   bash scripts/lab.sh                                  # this machine only, port 8888
#   JIXIAO_LAB_PORT=9000 bash scripts/lab.sh             # another port
#   JIXIAO_LAB_IP=0.0.0.0 bash scripts/lab.sh            # reachable from colleagues' browsers on the LAN
# The access token is generated per start and passed in the environment (not visible in `ps`).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${JIXIAO_LAB_PORT:-8888}"
IP="${JIXIAO_LAB_IP:-127.0.0.1}"
PROCESSED="${JIXIAO_PROCESSED:-data/processed}"

bash scripts/setup.sh
if [ ! -f "$PROCESSED/indicator_status.parquet" ]; then
  echo "提示：$PROCESSED 中还没有指标数据。先运行 bash scripts/demo.sh（示范县）或 .venv/bin/jixiao run --raw 报送文件夹。" >&2
fi

TOKEN="$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')"
HOST="$IP"
[ "$IP" = "0.0.0.0" ] && HOST="$(hostname -I 2>/dev/null | awk '{print $1}')" && HOST="${HOST:-$(hostname)}"
echo "== 启动 JupyterLab（按 Ctrl+C 停止）。在浏览器中打开："
echo "   http://$HOST:$PORT/lab/tree/explore.ipynb?token=$TOKEN"
ROOT_FLAG=()
[ "$(id -u)" = 0 ] && ROOT_FLAG=(--allow-root)  # Jupyter refuses root unless told (containers, test machines)
# port_retries=0: a busy port fails loudly instead of silently moving away from the URL above.
JUPYTER_TOKEN="$TOKEN" exec .venv/bin/jupyter lab --notebook-dir=notebooks --no-browser \
  --ip="$IP" --port="$PORT" --ServerApp.port_retries=0 "${ROOT_FLAG[@]}"
