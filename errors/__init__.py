"""The one root of every error a user can cause, below every other package.

Each package derives its own errors from these (``seeds.errors.SeedListError``,
``catalog.locks.CollectionLocked``, ``catalog.db.CatalogUnavailable`` ...); the command line
maps them once: the message on stderr, the class's ``exit_code``, no traceback.  Errors that
are not a user's (a bug, a disk failing mid-write) are not ``DiancangError``s and keep their
traceback.  The package imports nothing, so ``seeds`` and ``warc_store`` at the bottom of the
layers may both use it.
"""

from __future__ import annotations

import os


class DiancangError(Exception):
    """Base of every error the CLI prints as a clear message (exit 2: a usage error)."""

    exit_code = 2

    def lines(self) -> list[str]:
        """What the command line prints, one line each (most errors: exactly one)."""
        return [f"error: {self}"]


class InvalidInput(DiancangError, ValueError):
    """A value given by a user (an option, a form field, a file's field) is not valid."""


class NotFound(DiancangError, LookupError):
    """A collection, crawl, user or file named by a user does not exist."""


class Unavailable(DiancangError):
    """Something the command needs is not there: a database it cannot open, a busy port."""


class Busy(DiancangError):
    """Another process holds what the command needs (a collection being crawled): exit 3."""

    exit_code = 3


class CannotListen(Unavailable):
    """A server cannot listen where it was told to (the port is busy, the address not ours)."""

    def __init__(self, host: str, port: int, exc: OSError):
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        super().__init__(f"cannot listen on {host}:{port}: {reason}")
