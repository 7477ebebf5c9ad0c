"""``diancang serve`` and ``diancang web`` on gunicorn: several workers, the real bound URL
printed for ``--port 0``, kept-alive connections, a clean stop on SIGTERM."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import run_cli

pytestmark = pytest.mark.slow


def children(pid: int, expected: int) -> list[int]:
    """The worker processes of the master ``pid``, once ``expected`` are forked (gunicorn
    forks them a moment apart) or after a bounded wait."""
    for _ in range(100):
        found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if len(found) >= expected:
            break
        time.sleep(0.1)
    return found


def start(home: Path, *args: str) -> tuple[subprocess.Popen[str], str, int]:
    proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home), *args],
                            stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, DIANCANG_WEB_REPLAY_URL="http://localhost:9"))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, line
    return proc, match.group(0), int(match.group(1))


@pytest.mark.parametrize("command", ["serve", "web"])
def test_several_workers_answer_on_kept_alive_connections(tmp_path: Path, command: str) -> None:
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux's /proc to count worker processes")
    run_cli(tmp_path, "init")
    proc, _url, port = start(tmp_path, command, "--port", "0", "--workers", "3")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(5):                      # one connection, kept alive, five answers
            conn.request("GET", "/")
            response = response_of(conn)
            assert response.status == 200
            assert response.getheader("Connection", "keep-alive").lower() != "close"
        conn.close()
        assert len(children(proc.pid, 3)) == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def response_of(conn: http.client.HTTPConnection) -> http.client.HTTPResponse:
    response = conn.getresponse()
    response.read()
    return response


def test_workers_default_to_one_per_core(tmp_path: Path) -> None:
    run_cli(tmp_path, "init")
    proc, _url, port = start(tmp_path, "serve", "--port", "0")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/")
        assert response_of(conn).status == 200
        cores = len(os.sched_getaffinity(0))
        assert len(children(proc.pid, cores)) == cores
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
