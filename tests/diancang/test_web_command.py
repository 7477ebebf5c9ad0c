"""``diancang user`` and ``diancang web`` through the real command line."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support import run_cli

pytestmark = pytest.mark.slow   # the real CLI and web server, in child processes


def _cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "diancang.cli", "--home", str(home), *args],
                          input=stdin, capture_output=True, text=True, timeout=60, check=False)


def test_user_add_list_and_password(tmp_path: Path) -> None:
    run_cli(tmp_path, "init")
    made = _cli(tmp_path, "user", "add", "root", "--role", "admin", "--password-stdin",
                stdin="a good password\n")
    assert made.returncode == 0 and "created admin root" in made.stdout
    again = _cli(tmp_path, "user", "add", "root", "--role", "curator", "--password-stdin",
                 stdin="another password\n")
    assert again.returncode == 2 and "already exists" in again.stderr
    short = _cli(tmp_path, "user", "add", "lin", "--role", "curator", "--password-stdin",
                 stdin="short\n")
    assert short.returncode == 2 and "at least 8" in short.stderr
    assert _cli(tmp_path, "user", "list").stdout == "root\tadmin\n"
    changed = _cli(tmp_path, "user", "password", "root", "--password-stdin",
                   stdin="a better password\n")
    assert changed.returncode == 0
    text = (tmp_path / "catalog.sqlite").read_bytes()
    assert b"a better password" not in text and b"a good password" not in text


def test_web_serves_with_a_generated_secret_and_refuses_replay_s_host_name(
        tmp_path: Path) -> None:
    run_cli(tmp_path, "init")
    same = _cli(tmp_path, "web", "--host", "localhost", "--port", "0")
    assert same.returncode == 2 and "replay's host name" in same.stderr
    proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(tmp_path),
                             "web", "--port", "0"], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, DIANCANG_WEB_REPLAY_URL="http://localhost:9"))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, line
        with urllib.request.urlopen(match.group(0) + "?", timeout=10) as response:
            assert response.status == 200
            assert "典藏" in response.read().decode("utf-8")
            assert "HttpOnly" in response.headers.get("Set-Cookie", "HttpOnly")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    key = tmp_path / "web-secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) == 64
