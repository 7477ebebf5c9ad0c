"""``diancang export COLLECTION --wacz FILE``: a collection, or part of it, as a WACZ."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import click

from catalog.collections import get_collection
from diancang.errors import DiancangError, NotFound
from diancang.home import Home
from indexer.export import ExportError, Selection, export_wacz
from search.query import BadQuery, date_bound


@click.command("export")
@click.argument("collection")
@click.option("--wacz", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The WACZ file to write (it must not exist).")
@click.option("--from", "date_from", metavar="DATE", help="Captured on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Captured on or before (YYYY-MM-DD).")
@click.option("--url-prefix", metavar="PREFIX", help="Only URLs beginning with PREFIX.")
@click.pass_obj
def export_command(home: Home, collection: str, target: Path, date_from: str | None,
                   date_to: str | None, url_prefix: str | None) -> None:
    """Write COLLECTION as a WACZ 1.1.1 package (WARCs, CDXJ, pages, datapackage)."""
    if target.exists():
        raise click.UsageError(f"{target} exists; it is not overwritten")
    try:
        selection = Selection(date_bound("from", date_from, False),
                              date_bound("to", date_to, True), url_prefix)
    except BadQuery as exc:
        raise click.UsageError(f"--{exc.option}: {exc}") from None
    catalog = home.require().catalog
    with catalog.session() as session:
        coll = get_collection(session, collection)
        if coll is None:
            raise NotFound(f"no collection {collection!r} in the catalogue")
        title, description = coll.title, coll.description
    try:
        paths = home.collection(collection)
        result = export_wacz(catalog, collection, paths.archive, paths.indexes, target,
                             selection=selection, title=title, description=description,
                             software=f"Diancang/{version('diancang')}")
    except ExportError as exc:
        raise DiancangError(str(exc)) from None
    click.echo(f"wrote {target}: {result.files} WARC files, {result.captures} captures, "
               f"{result.pages} pages")
