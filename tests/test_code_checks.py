"""ruff, mypy and the import contracts of pyproject.toml (the layers), as part of the one test
command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow   # ruff, mypy and lint-imports, in child processes

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("command", [
    ["ruff", "check", "."],
    ["mypy"],
    ["lint-imports"],
], ids=["ruff", "mypy", "import-contracts"])
def test_code_check_passes(command: list[str]) -> None:
    executable = BIN / command[0]
    proc = subprocess.run([str(executable) if executable.exists() else command[0],
                           *command[1:]], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
