"""``diancang collections [--json]``: what each collection holds; ``collections set SLUG
--public|--private``: who may replay it."""

from __future__ import annotations

from typing import Any

import click
from warcio.timeutils import timestamp_to_iso_date

from catalog.fixity import CollectionFixity, collection_fixity
from diancang.errors import NotFound
from diancang.home import Home
from diancang.listing import echo_rows
from search.browse import CollectionInfo, collections_overview
from seeds.limits import human_bytes


def _iso(timestamp: str | None) -> str | None:
    return timestamp_to_iso_date(timestamp) if timestamp else None


def collection_summary(info: CollectionInfo, fixity: CollectionFixity | None) -> dict[str, Any]:
    coll = info.collection
    verified = fixity.last_verified if fixity is not None else None
    return {"slug": coll.slug, "title": coll.title, "kind": coll.kind, "public": coll.public,
            "seeds": info.seeds, "captures": info.captures, "warc_files": info.files,
            "warc_bytes": info.size, "first_capture": _iso(info.first),
            "last_capture": _iso(info.last),
            # when its least recently checked file was verified (None while one never was)
            "last_verified": verified.isoformat(timespec="seconds") if verified else None,
            "failed_files": fixity.failed if fixity is not None else 0}


@click.group("collections", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="A JSON list of collection objects.")
@click.pass_context
def collections_command(ctx: click.Context, as_json: bool) -> None:
    """List the collections: seeds, captures, WARC files and bytes, first and last capture."""
    if ctx.invoked_subcommand is not None:
        return
    home = ctx.find_object(Home)
    assert home is not None
    with home.require().catalog.session() as session:
        fixity = collection_fixity(session)
        rows = [collection_summary(info, fixity.get(info.collection.id))
                for info in collections_overview(session, include_private=True)]
    rows.sort(key=lambda row: row["slug"])
    header = (f"{'collection':<20} {'kind':<6} {'public':<6} {'seeds':>5} {'captures':>9} "
              f"{'files':>6} {'stored':>10}  {'first':<20}  {'last':<20}  "
              f"{'verified':<25}  title")

    def line(r: dict[str, Any]) -> str:
        return (f"{r['slug']:<20} {r['kind']:<6} {'yes' if r['public'] else 'no':<6} "
                f"{r['seeds']:>5} {r['captures']:>9} {r['warc_files']:>6} "
                f"{human_bytes(r['warc_bytes']):>10}  {r['first_capture'] or '-':<20}  "
                f"{r['last_capture'] or '-':<20}  {r['last_verified'] or 'never':<25}  "
                f"{r['title']}")

    echo_rows(rows, line, as_json=as_json, empty="no collections yet", header=header)


@collections_command.command("set")
@click.argument("slug")
@click.option("--public/--private", "public", default=None,
              help="Anyone may replay it / only curators granted it (404 to everyone else).")
@click.pass_obj
def collections_set(home: Home, slug: str, public: bool | None) -> None:
    """Change a collection: --public or --private (replay follows within seconds)."""
    from catalog.collections import set_public

    if public is None:
        raise click.UsageError("say --public or --private")
    with home.require().catalog.session() as session:
        if set_public(session, slug, public) is None:
            raise NotFound(f"no collection {slug!r} in the catalogue")
    click.echo(f"{slug}: {'public' if public else 'private'}")
