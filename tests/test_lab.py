"""scripts/lab.sh: terminals off unless asked, no LAN sharing without a password (real JupyterLab starts)."""
from __future__ import annotations

import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from servers import free_port, stop_server

from conftest import ROOT

START_SECONDS = 90


def lab(env: dict, **kwargs) -> subprocess.Popen:
    full = {**os.environ, "JIXIAO_SKIP_SETUP": "1", **env}
    for key in ("JIXIAO_LAB_IP", "JIXIAO_LAB_PASSWORD", "JIXIAO_LAB_TERMINALS"):
        if key not in env:
            full.pop(key, None)
    return subprocess.Popen(["bash", "scripts/lab.sh"], cwd=ROOT, env=full, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True, **kwargs)


def test_lan_sharing_without_a_password_is_refused_with_instructions():
    process = lab({"JIXIAO_LAB_IP": "0.0.0.0"})
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "必须先设置访问密码" in output and "JIXIAO_LAB_PASSWORD=" in output


def test_short_passwords_are_refused():
    process = lab({"JIXIAO_LAB_IP": "0.0.0.0", "JIXIAO_LAB_PASSWORD": "1234"})
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 2 and "太短" in output


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _start(env: dict, host: str) -> tuple[subprocess.Popen, int, str]:
    """Start lab.sh, read the address it prints, wait until the server answers."""
    port = free_port()
    process = lab({**env, "JIXIAO_LAB_PORT": str(port)})
    printed = ""
    while "http://" not in printed:
        line = process.stdout.readline()
        assert line, "lab.sh ended before printing an address"
        printed += line
    printed += process.stdout.readline()  # the line after the address (the LAN warning)
    # Keep reading what the server logs: a full, unread pipe would stall it.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            urllib.request.urlopen(f"http://{host}:{port}/api", timeout=2)
            return process, port, printed
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError("JupyterLab did not start")


@pytest.mark.slow
@pytest.mark.parametrize("terminals, expected", [(None, 404), ("1", 200)])
def test_terminals_are_off_unless_asked(terminals, expected):
    if not (ROOT / ".venv" / "bin" / "jupyter").exists():
        pytest.skip("needs the project's .venv")
    env = {"JIXIAO_LAB_TERMINALS": terminals} if terminals else {}
    process, port, printed = _start(env, "127.0.0.1")
    try:
        token = re.search(r"token=([0-9a-f]+)", printed).group(1)
        assert _status(f"http://127.0.0.1:{port}/api/terminals?token={token}") == expected
        assert token not in " ".join(process.args)  # passed in the environment, not visible in ps
    finally:
        stop_server(process)


@pytest.mark.slow
def test_lan_sharing_asks_for_the_password_and_prints_no_token():
    if not (ROOT / ".venv" / "bin" / "jupyter").exists():
        pytest.skip("needs the project's .venv")
    # 127.0.0.2 is loopback on Linux but not "this machine only" for the script: LAN rules apply.
    process, port, printed = _start({"JIXIAO_LAB_IP": "127.0.0.2", "JIXIAO_LAB_PASSWORD": "示范县密码123"}, "127.0.0.2")
    try:
        assert "token=" not in printed and "密码" in printed
        assert _status(f"http://127.0.0.2:{port}/api/contents") == 403
    finally:
        stop_server(process)
