"""``diancang search``: full-text search of the catalogue from the command line."""

from __future__ import annotations

import json

import click

from catalog.access import Viewer
from diancang.errors import DiancangError
from diancang.home import Home
from search.query import GROUPS, BadQuery, search


class SearchUsageError(DiancangError):
    """A query or option ``diancang search`` cannot search (printed as one line, exit 2)."""

    exit_code = 2


def replay_base(home: Home) -> str:
    """Replay's base URL for links: ``replay.public_url``, else ``serve``'s host and port."""
    settings = home.settings
    if settings["replay.public_url"]:
        return str(settings["replay.public_url"]).rstrip("/")
    host = settings["replay.host"]
    host = "localhost" if host in ("0.0.0.0", "::", "") else host
    return f"http://{'[' + host + ']' if ':' in host else host}:{settings['replay.port']}"


@click.command("search")
@click.argument("query")
@click.option("--collection", help="Only this collection.")
@click.option("--site", help="Only this host (and its subdomains), e.g. www.gd.gov.cn.")
@click.option("--from", "date_from", metavar="DATE", help="Captured on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Captured on or before (YYYY-MM-DD).")
@click.option("--agency", help="Only pages whose 发布机构 contains this.")
@click.option("--subject", help="Only pages whose 主题分类 contains this.")
@click.option("--mime", help="Only this MIME type (text/html, application/pdf).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@click.option("--group", type=click.Choice(GROUPS), default="url", show_default=True,
              help="url: one hit per document (its latest capture); none: every capture.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of hits.")
@click.pass_obj
def search_command(home: Home, query: str, collection: str | None, site: str | None,
                   date_from: str | None, date_to: str | None, agency: str | None,
                   subject: str | None, mime: str | None, limit: int, offset: int,
                   group: str, as_json: bool) -> None:
    """Search the text and metadata of every capture (Chinese words, English, 文号)."""
    try:
        with home.require().catalog.session() as session:
            result = search(session, query, collection=collection, site=site,
                            date_from=date_from, date_to=date_to, mime=mime, agency=agency,
                            subject=subject, limit=limit, offset=offset,
                            group=group, replay_base=replay_base(home), viewer=Viewer(None))
    except BadQuery as exc:
        name = "QUERY" if exc.option == "query" else f"--{exc.option}"
        raise SearchUsageError(f"{name}: {exc}") from None
    if as_json:
        click.echo(json.dumps([hit.to_json() for hit in result.hits], ensure_ascii=False,
                              indent=1))
        return
    shown = f"{offset + 1}-{offset + len(result.hits)} of " if result.hits else ""
    unit = "documents" if group == "url" else "captures"
    click.echo(f"{shown}{result.total} {unit} match {query!r}")
    for hit in result.hits:
        plain = hit.snippet.replace("<mark>", "[").replace("</mark>", "]")
        click.echo(f"\n{hit.title or '(no title)'}\n  {hit.replay_url}")
        if group == "url":
            click.echo(f"  {hit.captures} capture(s) {_day(hit.first)} - {_day(hit.last)}: "
                       f"{hit.calendar_url}")
        gov = "  ".join(f"{k}: {v}" for k, v in hit.gov.items())
        if gov:
            click.echo(f"  {gov}")
        click.echo(f"  {html_unescape(plain)}")


def _day(stamp: str) -> str:
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)
