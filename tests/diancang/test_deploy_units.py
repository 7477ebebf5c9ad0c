"""The systemd units in deploy/systemd/ run commands the CLI has, with settings it declares."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import click

from diancang.cli import main
from diancang.settings import DECLARED

UNITS = Path(__file__).parents[2] / "deploy" / "systemd"


def test_each_unit_runs_a_diancang_command() -> None:
    commands = set(main.list_commands(click.Context(main)))   # those loaded when run too
    units = sorted(UNITS.glob("*.service"))
    assert {u.name for u in units} >= {"diancang-scheduler.service", "diancang-web.service",
                                       "diancang-replay.service", "diancang-indexer@.service",
                                       "diancang-worker@.service"}
    for unit in units:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read(unit, encoding="utf-8")
        service = parser["Service"]
        assert service["EnvironmentFile"] == "/etc/diancang/diancang.env", unit.name
        words = service["ExecStart"].split()
        assert words[0].endswith("/diancang"), unit.name
        assert words[1] in commands, unit.name


def test_the_environment_file_names_declared_settings() -> None:
    names = re.findall(r"^(DIANCANG_\w+)=", (UNITS / "diancang.env").read_text("utf-8"), re.M)
    known = {s.env for s in DECLARED} | {"DIANCANG_HOME"}
    assert names and set(names) <= known, set(names) - known
    assert "DIANCANG_INDEX_MODE" in names and "DIANCANG_DATABASE_URL" in names
