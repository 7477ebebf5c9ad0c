"""replay.server: the worker's stdout takes pywb's chatter without blocking or passing it on."""

from __future__ import annotations

import io

from replay.server import _PywbChatter


def test_pywbs_line_per_lookup_is_dropped_and_its_errors_go_on() -> None:
    errors = io.StringIO()
    out = _PywbChatter(errors)
    print("Dir collections/bench/indexes unchanged", file=out)
    print("Dir collections/bench/acl unchanged", file=out)
    print(ValueError("bad index line"), file=out)
    out.flush()
    assert errors.getvalue() == "bad index line\n"
