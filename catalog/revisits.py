"""Which response a revisit record stands for: the capture at its ``revisit_of`` date (the
record's WARC-Refers-To-Date), else the latest earlier response of its URL with its digest.

Joined in the database (on SURT and date, which ``ix_captures_surt_ts`` serves), so a
recrawl whose pages are nearly all revisits costs one query, not one per URL.  The indexer
copies the original's text and metadata into the revisit's row (a revisit is a capture,
dated by the recapture); the crawl report counts it under the original's status and type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from catalog.models import Capture


def originals(session: Session, columns: Sequence[str],
              *where: Any) -> dict[int, tuple[Any, ...]]:
    """Revisit capture id -> the named ``columns`` of its original (``("id", "status")``),
    for the revisits ``where`` selects (conditions on ``Capture``, e.g.
    ``Capture.crawl_id == 7``); revisits whose original is not in the catalogue are left
    out."""
    rev = Capture
    orig = aliased(Capture)
    base = (select(rev.id, *(getattr(orig, name) for name in columns))
            .join(orig, (orig.surt == rev.surt) & (orig.url == rev.url)
                  & (orig.collection_id == rev.collection_id)
                  & (orig.record_type == "response"))
            .where(rev.record_type == "revisit", *where))
    found: dict[int, tuple[Any, ...]] = {}
    by_digest = base.where(orig.digest == rev.digest, orig.timestamp < rev.timestamp) \
        .order_by(orig.timestamp, orig.id)
    for rev_id, *values in session.execute(by_digest):
        found[rev_id] = tuple(values)           # the latest earlier one wins ...
    for rev_id, *values in session.execute(base.where(orig.timestamp == rev.revisit_of)):
        found[rev_id] = tuple(values)           # ... unless the revisit names its original
    return found
