"""How the listing commands (``crawls``, ``collections``, ``access list``) print their rows:
a JSON list for programs, or a line per row under a header for people."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import click

Row = dict[str, Any]


def echo_rows(rows: Sequence[Row], line: Callable[[Row], str], *, as_json: bool, empty: str,
              header: str | None = None) -> None:
    """``rows`` as JSON, or ``empty`` when there are none, or ``header`` and a ``line`` each."""
    if as_json:
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo(empty)
        return
    if header is not None:
        click.echo(header)
    for row in rows:
        click.echo(line(row))
