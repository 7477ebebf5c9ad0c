"""Access rules: takedowns (exclude), embargoes and allowances, kept in the catalogue.

A rule names a collection and, for ``exclude`` and ``allow``, a SURT prefix (given as a URL
or as a SURT); an ``embargo`` hides a collection's captures younger than some days from
readers without a grant.  Rules are the only source: replay's ``.aclj`` files are generated
from them, and search, timelines, reports and export filter captures through
``visible_clause`` / ``visible_captures`` here, so a capture hidden in one place is hidden
everywhere.  Every rule records who made it, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from catalog.models import AccessRule, Capture, Collection

KINDS = ("exclude", "embargo", "allow")


class AccessRuleError(ValueError):
    """A bad rule; the message names the field."""


def rule_key(target: str) -> str:
    """The SURT prefix a rule applies to: a URL is turned into its SURT as the indexer
    writes it (so ``http://www.example.com/news/`` covers ``com,example)/news...``); a
    SURT (``com,example)/news``, or ``cn,gov,`` for a domain and its subdomains) is kept."""
    text = target.strip()
    if not text:
        raise AccessRuleError("url: expected a URL or a SURT prefix, got nothing")
    if "://" in text:
        # imported here: surt loads tldextract and requests, which replay may import only
        # after pywb has patched the process for gevent
        import surt

        return str(surt.surt(text))
    if ("," in text or ")" in text) and not any(c.isspace() for c in text):
        return text.lower()         # as surt writes keys: all in lower case
    raise AccessRuleError(f"url: expected a URL (http://...) or a SURT prefix "
                          f"(com,example)/path), got {target!r}")


def timestamp14(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def embargo_cutoff(days: int, now: datetime | None = None) -> str:
    """Captures with a timestamp above this are under an embargo of ``days``."""
    return timestamp14((now or datetime.now(UTC)) - timedelta(days=days))


def _collection(session: Session, slug: str) -> Collection:
    coll = session.scalars(select(Collection).where(Collection.slug == slug)).one_or_none()
    if coll is None:
        raise AccessRuleError(f"collection: no collection {slug!r} in the catalogue")
    return coll


def add_exclusion(session: Session, slug: str, target: str, *, kind: str = "exclude",
                  date_from: date | None = None, date_to: date | None = None,
                  reason: str | None = None, who: str) -> AccessRule:
    """A takedown (``exclude``) or an allowance inside one (``allow``) for a SURT prefix,
    optionally only for captures made between ``date_from`` and ``date_to`` (inclusive)."""
    if kind not in ("exclude", "allow"):
        raise AccessRuleError(f"kind: expected exclude or allow, got {kind!r}")
    if date_from and date_to and date_to < date_from:
        raise AccessRuleError(f"to: expected a day on or after --from ({date_from}), "
                              f"got {date_to}")
    coll = _collection(session, slug)
    rule = AccessRule(collection_id=coll.id, url=target.strip(), surt=rule_key(target),
                      kind=kind, date_from=date_from, date_to=date_to, reason=reason or None,
                      who=who, created_at=datetime.now(UTC))
    session.add(rule)
    session.flush()
    return rule


def set_embargo(session: Session, slug: str, days: int, *, reason: str | None = None,
                who: str) -> AccessRule | None:
    """The collection's one embargo, replaced (``days`` 0 lifts it; returns None then)."""
    if days < 0:
        raise AccessRuleError(f"days: expected 0 or more, got {days}")
    coll = _collection(session, slug)
    for old in session.scalars(select(AccessRule).where(AccessRule.collection_id == coll.id,
                                                        AccessRule.kind == "embargo")):
        session.delete(old)
    if days == 0:
        session.flush()
        return None
    rule = AccessRule(collection_id=coll.id, url=None, surt=None, kind="embargo", days=days,
                      reason=reason or None, who=who, created_at=datetime.now(UTC))
    session.add(rule)
    session.flush()
    return rule


def list_rules(session: Session, slug: str | None = None) -> list[tuple[AccessRule, str]]:
    stmt = (select(AccessRule, Collection.slug).join(Collection)
            .order_by(Collection.slug, AccessRule.id))
    if slug is not None:
        stmt = stmt.where(Collection.slug == slug)
    return [(rule, coll) for rule, coll in session.execute(stmt)]


def remove_rule(session: Session, rule_id: int) -> AccessRule | None:
    rule = session.get(AccessRule, rule_id)
    if rule is not None:
        session.delete(rule)
        session.flush()
    return rule


def rule_summary(rule: AccessRule, collection: str) -> dict[str, Any]:
    return {"id": rule.id, "collection": collection, "kind": rule.kind, "url": rule.url,
            "surt": rule.surt, "from": rule.date_from.isoformat() if rule.date_from else None,
            "to": rule.date_to.isoformat() if rule.date_to else None, "days": rule.days,
            "reason": rule.reason, "who": rule.who,
            "created_at": rule.created_at.isoformat(timespec="seconds")}


# ---- what readers may see -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: anonymous readers see public collections without embargoed or
    excluded captures; curators granted a collection see its embargoed captures too."""

    collections: frozenset[str] | None = frozenset()   # None: every collection (admins)

    def may_see(self, slug: str) -> bool:
        return self.collections is None or slug in self.collections


ANONYMOUS = Viewer()


def _date_clause(rule: AccessRule) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if rule.date_from:
        parts.append(Capture.timestamp >= rule.date_from.strftime("%Y%m%d"))
    if rule.date_to:
        parts.append(Capture.timestamp < (rule.date_to + timedelta(days=1)).strftime("%Y%m%d"))
    return and_(true(), *parts)


def _prefix(key: Any) -> ColumnElement[bool]:
    # substr, not LIKE: a SURT's '_' and '%' are characters, not wildcards
    same: ColumnElement[bool] = func.substr(Capture.surt, 1, func.length(key)) == key
    return same


def _excluded() -> ColumnElement[bool]:
    """Captures under an undated ``exclude`` rule with no more specific ``allow`` rule: one
    correlated subquery, however many rules (a takedown list may hold thousands)."""
    rule, allow = aliased(AccessRule), aliased(AccessRule)
    allowed = (select(allow.id).where(allow.collection_id == rule.collection_id,
                                      allow.kind == "allow", _prefix(allow.surt),
                                      func.length(allow.surt) > func.length(rule.surt))
               .correlate_except(allow).exists())
    return (select(rule.id).where(rule.collection_id == Capture.collection_id,
                                  rule.kind == "exclude", rule.date_from.is_(None),
                                  rule.date_to.is_(None), _prefix(rule.surt), not_(allowed))
            .correlate_except(rule).exists())


def visible_clause(session: Session, viewer: Viewer = ANONYMOUS,
                   now: datetime | None = None) -> ColumnElement[bool]:
    """A condition on ``Capture`` rows: not excluded (unless a more specific ``allow`` rule
    holds), and not under an embargo the viewer is not exempt from."""
    slugs = dict(session.execute(select(Collection.id, Collection.slug)).all())
    dated = session.scalars(select(AccessRule).where(
        or_(AccessRule.kind == "embargo",
            and_(AccessRule.kind == "exclude",
                 or_(AccessRule.date_from.is_not(None), AccessRule.date_to.is_not(None))))))
    hidden: list[ColumnElement[bool]] = [_excluded()]
    for rule in dated:
        in_coll = Capture.collection_id == rule.collection_id
        if rule.kind == "embargo":
            if rule.days and not viewer.may_see(slugs[rule.collection_id]):
                hidden.append(and_(in_coll, Capture.timestamp > embargo_cutoff(rule.days, now)))
        elif rule.surt:
            hidden.append(and_(in_coll, _prefix(rule.surt), _date_clause(rule)))
    return not_(or_(false(), *hidden))


def visible_sql(session: Session, viewer: Viewer, alias: str,
                now: datetime | None = None) -> str:
    """``visible_clause`` as SQL text for a query that names the captures table ``alias``
    (full-text search builds its SQL by hand); values are inlined by SQLAlchemy's own
    literal rendering, so it takes no parameters."""
    inner = select(Capture.id).where(Capture.id == literal_column(f"{alias}.id"),
                                     visible_clause(session, viewer, now))
    compiled = inner.compile(dialect=session.get_bind().dialect,
                             compile_kwargs={"literal_binds": True})
    return f"EXISTS ({compiled})"


def visible_captures(session: Session, stmt: Select[Any], viewer: Viewer = ANONYMOUS,
                     now: datetime | None = None) -> Select[Any]:
    """``stmt`` (a select over ``Capture``) without the captures access rules hide from
    ``viewer``: what search, timelines, reports and WACZ export call."""
    return stmt.where(visible_clause(session, viewer, now))
