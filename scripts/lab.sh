#!/usr/bin/env bash
# Start JupyterLab on notebooks/ (running the set-up first when needed); the explorer is explore.ipynb.
#   bash scripts/lab.sh                                  # this machine only, port 8888
#   JIXIAO_LAB_PORT=9000 bash scripts/lab.sh             # another port
#   JIXIAO_LAB_IP=0.0.0.0 JIXIAO_LAB_PASSWORD='…' bash scripts/lab.sh
#                                                        # colleagues on the LAN: only with a password
#   JIXIAO_LAB_TERMINALS=1 bash scripts/lab.sh           # also allow terminals (off by default)
# Safety: a notebook server runs code as the user who started it. Terminals are off unless asked
# (with --allow-root they would be a root shell); sharing on the LAN needs a password, and the
# access token is generated per start and passed in the environment (not visible in `ps`).
# The connection is plain HTTP: share only on a trusted office network. For leadership, prefer the
# read-only dashboard (bash scripts/dashboard.sh), which runs no code a visitor types.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${JIXIAO_LAB_PORT:-8888}"
IP="${JIXIAO_LAB_IP:-127.0.0.1}"
PROCESSED="${JIXIAO_PROCESSED:-data/processed}"
PASSWORD="${JIXIAO_LAB_PASSWORD:-}"

LOCAL=1
case "$IP" in 127.0.0.1|localhost|::1) ;; *) LOCAL=0 ;; esac
if [ "$LOCAL" = 0 ] && [ -z "$PASSWORD" ]; then
  cat >&2 <<MSG
错误：要让局域网中的其他电脑访问（JIXIAO_LAB_IP=$IP），必须先设置访问密码，否则任何拿到地址的人都能在本机运行代码。
请这样启动（密码自定，至少 8 位）：
  JIXIAO_LAB_IP=$IP JIXIAO_LAB_PASSWORD='自定的密码' bash scripts/lab.sh
只给领导看结果时，更推荐只读的看板：JIXIAO_DASHBOARD_IP=$IP bash scripts/dashboard.sh
MSG
  exit 2
fi
if [ -n "$PASSWORD" ] && [ "${#PASSWORD}" -lt 8 ]; then
  echo "错误：JIXIAO_LAB_PASSWORD 太短，至少 8 位。" >&2
  exit 2
fi

[ "${JIXIAO_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
if [ ! -f "$PROCESSED/indicator_status.parquet" ]; then
  echo "提示：$PROCESSED 中还没有指标数据。先运行 bash scripts/demo.sh（示范县）或 .venv/bin/jixiao run --raw 报送文件夹。" >&2
fi

CONFIG_DIR="$(mktemp -d)"
trap 'rm -rf "$CONFIG_DIR"' EXIT
ARGS=(--notebook-dir=notebooks --no-browser --ip="$IP" --port="$PORT" --ServerApp.port_retries=0)
# Terminals only when asked for.
[ "${JIXIAO_LAB_TERMINALS:-}" = 1 ] || ARGS+=(--ServerApp.terminals_enabled=False)
[ "$(id -u)" = 0 ] && ARGS+=(--allow-root)  # Jupyter refuses root unless told (containers, test machines)

TOKEN="$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')"
HOST="$IP"
if [ -n "$PASSWORD" ]; then
  # The password's hash goes into a private config file: never on the command line.
  JIXIAO_LAB_PASSWORD="$PASSWORD" .venv/bin/python - "$CONFIG_DIR/jupyter_server_config.json" <<'PY'
import json, os, sys
from jupyter_server.auth import passwd
config = {"PasswordIdentityProvider": {"hashed_password": passwd(os.environ["JIXIAO_LAB_PASSWORD"]),
                                       "password_required": True}}
with open(sys.argv[1], "w") as handle:
    json.dump(config, handle)
PY
  chmod 600 "$CONFIG_DIR/jupyter_server_config.json"
  ARGS+=(--config="$CONFIG_DIR/jupyter_server_config.json")
  TOKEN=""  # on the LAN the password is the way in: no token travelling in URLs
fi
[ "$IP" = "0.0.0.0" ] && HOST="$(hostname -I 2>/dev/null | awk '{print $1}')" && HOST="${HOST:-$(hostname)}"
echo "== 启动 JupyterLab（按 Ctrl+C 停止）。在浏览器中打开："
if [ -n "$TOKEN" ]; then
  echo "   http://$HOST:$PORT/lab/tree/explore.ipynb?token=$TOKEN"
else
  echo "   http://$HOST:$PORT/lab/tree/explore.ipynb （输入 JIXIAO_LAB_PASSWORD 设置的密码）"
  echo "注意：连接未加密（HTTP），只在可信的单位内网中使用；用完按 Ctrl+C 关闭。"
fi
if [ "${JIXIAO_LAB_DRY_RUN:-}" = 1 ]; then  # tests: show what would start
  echo "jupyter lab ${ARGS[*]}"
  [ -n "$PASSWORD" ] && cat "$CONFIG_DIR/jupyter_server_config.json" && echo
  exit 0
fi
# port_retries=0: a busy port fails loudly instead of silently moving away from the URL above.
JUPYTER_TOKEN="$TOKEN" .venv/bin/jupyter lab "${ARGS[@]}"
