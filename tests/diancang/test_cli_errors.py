"""A user's mistake is one line on stderr and exit 2, never a traceback: the real CLI, in a
child process, for each kind of mistake the CLI maps through ``errors.DiancangError``."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path: Path) -> Path:
    run_cli(tmp_path / "archive", "init")
    return tmp_path / "archive"


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def assert_one_line_exit_2(home: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = run_cli(home, *args, env=env, check=False, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_serve_on_a_busy_port(home: Path, busy_port: int) -> None:
    line = assert_one_line_exit_2(home, "serve", "--port", str(busy_port))
    assert line == f"error: cannot listen on 127.0.0.1:{busy_port}: Address already in use"


def test_web_on_a_busy_port(home: Path, busy_port: int) -> None:
    line = assert_one_line_exit_2(home, "web", "--port", str(busy_port))
    assert line == f"error: cannot listen on 127.0.0.1:{busy_port}: Address already in use"


@pytest.mark.parametrize(("url", "shown", "reason"), [
    ("nosuchdb://x", "nosuchdb://x", "Can't load plugin: sqlalchemy.dialects:nosuchdb"),
    # nothing listens on port 1 of the loopback: refused at once, nothing leaves the machine
    ("postgresql+psycopg://postgres:secret@127.0.0.1:1/x",
     "postgresql+psycopg://postgres:***@127.0.0.1:1/x", "Connection refused"),
], ids=["unknown-dialect", "unreachable-postgres"])
def test_a_bad_database_url(home: Path, url: str, shown: str, reason: str) -> None:
    line = assert_one_line_exit_2(home, "crawls", env={"DIANCANG_DATABASE_URL": url})
    assert line.startswith(f"error: cannot open the catalogue database {shown}: "), line
    assert reason in line
    assert "secret" not in line


def test_a_date_that_is_none(home: Path) -> None:
    line = assert_one_line_exit_2(home, "search", "--from", "2024-13-45", "foo")
    assert line == "error: --from: not a date: '2024-13-45' (expected YYYY-MM-DD)"

