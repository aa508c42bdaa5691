"""Screenshots of the dashboard for the README: docs/dashboard.png (全县总览) and docs/explorer.png (指标查询).

    .venv/bin/python scripts/dashboard_screenshots.py [PROCESSED_DIR]

Starts ``bash scripts/dashboard.sh`` on a free port over PROCESSED_DIR (default data/processed,
after ``bash scripts/demo.sh``), drives Debian's Chromium through Playwright at 1280 px, stops the server.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 1000}
SETTLE_SECONDS = 2  # plotly finishes its transitions


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    processed = Path(sys.argv[1] if len(sys.argv) > 1 else "data/processed").resolve()
    port = free_port()
    env = {**os.environ, "JIXIAO_SKIP_SETUP": "1", "JIXIAO_PROCESSED": str(processed),
           "JIXIAO_DASHBOARD_PORT": str(port)}
    server = subprocess.Popen(["bash", "scripts/dashboard.sh"], cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(120_000)
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector(".js-plotly-plot")
            time.sleep(SETTLE_SECONDS)
            page.screenshot(path=str(ROOT / "docs" / "dashboard.png"))
            page.get_by_text("指标查询", exact=True).click()
            page.wait_for_selector("table.jx-table tbody tr")
            page.get_by_label("指标灯", exact=True).select_option(label="红灯和黄灯")
            time.sleep(SETTLE_SECONDS)
            page.screenshot(path=str(ROOT / "docs" / "explorer.png"))
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print("已写入 docs/dashboard.png、docs/explorer.png")


if __name__ == "__main__":
    main()
