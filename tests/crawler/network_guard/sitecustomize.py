"""Loaded by every Python process started with this directory on PYTHONPATH: records each
socket connection and name lookup the process makes (audit events, PEP 578), one line each,
in the file named by DIANCANG_TEST_NETWORK_LOG.  Only records: it changes nothing."""

import os
import sys

_LOG = os.environ.get("DIANCANG_TEST_NETWORK_LOG")


def _record(event: str, args: tuple) -> None:
    if event == "socket.connect":
        address = args[1]
        line = f"connect {address[0]} {address[1]}" if isinstance(address, tuple) else \
            f"connect {address!r}"
    elif event == "socket.getaddrinfo":
        line = f"getaddrinfo {args[0]!r} {args[1]!r}"
    else:
        return
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


if _LOG:
    sys.addaudithook(_record)
