"""The composition root's own errors, under the one root every package derives from
(``errors.DiancangError``: each error knows its exit status; the CLI maps them once)."""

from __future__ import annotations

from errors import DiancangError, InvalidInput, NotFound, Unavailable

__all__ = ["ConfigError", "DiancangError", "InvalidInput", "NotFound", "Unavailable",
           "UnknownSetting"]


class ConfigError(DiancangError):
    """A setting or the archive home is wrong: names the file and the setting."""


class UnknownSetting(ConfigError, KeyError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(f"unknown setting {name!r} (known: {', '.join(known)})")

    def __str__(self) -> str:
        return str(self.args[0])
