"""``diancang search``: full-text search of the catalogue from the command line."""

from __future__ import annotations

import json

import click

from diancang.home import Home
from search.query import search


def replay_base(home: Home) -> str:
    settings = home.settings
    return f"http://{settings['replay.host']}:{settings['replay.port']}"


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
@click.option("--json", "as_json", is_flag=True, help="A JSON list of hits.")
@click.pass_obj
def search_command(home: Home, query: str, collection: str | None, site: str | None,
                   date_from: str | None, date_to: str | None, agency: str | None,
                   subject: str | None, mime: str | None, limit: int, offset: int,
                   as_json: bool) -> None:
    """Search the text and metadata of every capture (Chinese words, English, 文号)."""
    with home.require().catalog.session() as session:
        result = search(session, query, collection=collection, site=site,
                        date_from=date_from, date_to=date_to, mime=mime, agency=agency,
                        subject=subject, limit=limit, offset=offset,
                        replay_base=replay_base(home))
    if as_json:
        click.echo(json.dumps([hit.to_json() for hit in result.hits], ensure_ascii=False,
                              indent=1))
        return
    shown = f"{offset + 1}-{offset + len(result.hits)} of " if result.hits else ""
    click.echo(f"{shown}{result.total} captures match {query!r}")
    for hit in result.hits:
        plain = hit.snippet.replace("<mark>", "[").replace("</mark>", "]")
        click.echo(f"\n{hit.title or '(no title)'}\n  {hit.replay_url}")
        gov = "  ".join(f"{k}: {v}" for k, v in hit.gov.items())
        if gov:
            click.echo(f"  {gov}")
        click.echo(f"  {html_unescape(plain)}")


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)
