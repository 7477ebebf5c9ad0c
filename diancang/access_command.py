"""``diancang collections set`` (who may replay a collection) and ``diancang access`` (takedowns,
embargoes and allowances), with what ``diancang serve`` needs to enforce them.

Rules live in the catalogue; every change here regenerates replay's ``.aclj`` files at once
(a running replay server also re-reads the catalogue every ``replay.access_refresh`` seconds,
which is how changes made in the web app reach it).  Each rule records who made it: the OS
user here, the curator's name in the web app.
"""

from __future__ import annotations

import getpass
from datetime import date
from typing import Any

import click

from diancang.errors import ConfigError, NotFound
from diancang.home import Home
from diancang.listing import echo_rows
from diancang.web_command import secret_key
from replay.server import Access

pass_home = click.make_pass_decorator(Home)


def replay_access(home: Home) -> Access:
    settings = home.settings
    return Access(settings.database_url, secret_key(home), settings["replay.grant_seconds"],
                  settings["replay.access_refresh"])


def _regenerate(home: Home) -> None:
    from replay.acl import regenerate

    regenerate(home.catalog, home.collections)


def _who() -> str:
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os:unknown"


@click.group()
def access() -> None:
    """Takedowns, embargoes and allowances: who may see which captures, on every endpoint."""


def _rule_error(exc: ValueError) -> ConfigError:
    return ConfigError(str(exc))


@access.command("exclude")
@click.argument("collection")
@click.argument("url_or_prefix")
@click.option("--reason", help="Why (a court order, a request from the site's owner ...).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]),
              help="Only captures made on or after this day (YYYY-MM-DD).")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]),
              help="Only captures made on or before this day (YYYY-MM-DD).")
@click.option("--allow", is_flag=True,
              help="An exception inside a broader takedown instead: these stay visible.")
@pass_home
def access_exclude(home: Home, collection: str, url_or_prefix: str, reason: str | None,
                   date_from: object, date_to: object, allow: bool) -> None:
    """Take down COLLECTION's captures under URL_OR_PREFIX (a URL, or a SURT prefix such as
    'cn,gov,example,' for a domain): they answer 451 in replay and vanish from the CDX API,
    TimeMaps, search, timelines, reports and export."""
    from catalog.access import AccessRuleError, add_exclusion

    with home.require().catalog.session() as session:
        try:
            rule = add_exclusion(session, collection, url_or_prefix,
                                 kind="allow" if allow else "exclude",
                                 date_from=_day(date_from), date_to=_day(date_to),
                                 reason=reason, who=_who())
        except AccessRuleError as exc:
            raise _rule_error(exc) from None
        click.echo(f"rule {rule.id}: {rule.kind} {rule.surt} in {collection}")
    _regenerate(home)


def _day(value: object) -> date | None:
    return value.date() if value is not None else None  # type: ignore[attr-defined]


@access.command("embargo")
@click.argument("collection")
@click.option("--days", type=click.IntRange(min=0), required=True,
              help="Hide captures younger than this many days from readers without a grant "
                   "(0 lifts the embargo).")
@click.option("--reason", help="Why.")
@pass_home
def access_embargo(home: Home, collection: str, days: int, reason: str | None) -> None:
    """Embargo COLLECTION's recent captures (replaces its earlier embargo)."""
    from catalog.access import AccessRuleError, set_embargo

    with home.require().catalog.session() as session:
        try:
            rule = set_embargo(session, collection, days, reason=reason, who=_who())
        except AccessRuleError as exc:
            raise _rule_error(exc) from None
        click.echo(f"rule {rule.id}: {collection} captures younger than {days} days hidden"
                   if rule else f"{collection}: no embargo")
    _regenerate(home)


@access.command("list")
@click.argument("collection", required=False)
@click.option("--json", "as_json", is_flag=True, help="A JSON list of rules.")
@pass_home
def access_list(home: Home, collection: str | None, as_json: bool) -> None:
    """List access rules (of COLLECTION, or all), with who made each, when and why."""
    from catalog.access import list_rules, rule_summary

    with home.require().catalog.session() as session:
        rows = [rule_summary(rule, slug) for rule, slug in list_rules(session, collection)]
    def line(row: dict[str, Any]) -> str:
        what = (f"younger than {row['days']} days" if row["kind"] == "embargo"
                else row["surt"])
        dates = "" if not (row["from"] or row["to"]) else \
            f" captured {row['from'] or '...'} to {row['to'] or '...'}"
        return (f"{row['id']:>5}  {row['collection']:<16} {row['kind']:<8} {what}{dates}"
                f"  ({row['who']}, {row['created_at']}"
                f"{': ' + row['reason'] if row['reason'] else ''})")

    echo_rows(rows, line, as_json=as_json, empty="no access rules")


@access.command("remove")
@click.argument("rule_id", type=int)
@pass_home
def access_remove(home: Home, rule_id: int) -> None:
    """Remove access rule RULE_ID (see `diancang access list`)."""
    from catalog.access import remove_rule

    with home.require().catalog.session() as session:
        if remove_rule(session, rule_id) is None:
            raise NotFound(f"no access rule {rule_id}")
    click.echo(f"removed rule {rule_id}")
    _regenerate(home)


def register(main: click.Group) -> None:
    main.add_command(access)
