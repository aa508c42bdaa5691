"""Starting and stopping the dashboard and JupyterLab servers, for the browser tests and the explorer benchmark.

A helper module, not a test file: ``tests/test_dashboard.py``, ``tests/test_lab.py`` and
``benchmarks/bench_explorer_browser.py`` share it.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
SERVER_START_SECONDS = 60
STOP_SECONDS = 20  # a server closes its kernels on SIGTERM; after this it is killed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_dashboard_server(env: dict, log: Path) -> subprocess.Popen:
    """dashboard.sh with its output in a file: an unread pipe would fill up and stall the server."""
    with log.open("w") as output:
        return subprocess.Popen(["bash", "scripts/dashboard.sh"], cwd=ROOT, env=env, stdout=output,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)


def wait_for_port(port: int, process: subprocess.Popen, log: Path, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"看板没有启动：{log.read_text()}")
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("看板在限定时间内没有开始监听")


def stop_server(process: subprocess.Popen) -> None:
    """The server and its kernels (one process group, started with ``start_new_session``)."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
