"""Errors the command line reports without a traceback.

Lower packages raise their own (``seeds.errors.SeedListError`` carries file, line and field);
these are the ones of the composition root.  Each knows its exit status.
"""

from __future__ import annotations


class DiancangError(Exception):
    """Base of every error the CLI prints as one clear message."""

    exit_code = 1


class ConfigError(DiancangError):
    """A setting or the archive home is wrong: names the file and the setting."""

    exit_code = 2


class UnknownSetting(ConfigError, KeyError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(f"unknown setting {name!r} (known: {', '.join(known)})")

    def __str__(self) -> str:
        return str(self.args[0])


class NotFound(DiancangError):
    """A collection, crawl or file named on the command line does not exist."""

    exit_code = 2
