"""``diancang import COLLECTION PATH...``: take in WARC, ARC and WACZ files from other tools.

One line per file: its captures, ``already held``, or ``rejected: REASON``.  A rejected file
is not taken in and does not stop the others.  Exit 0 when every file was taken in (or was
already held), 1 when some were rejected, 2 for usage errors (a path that does not exist, a
bad collection name).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from catalog.collections import create_collection
from diancang.errors import ConfigError, NotFound
from diancang.home import Home
from indexer.imports import Outcome, import_archive, import_wacz
from indexer.textpool import TextPool
from seeds.check import slug_problem
from warc_store.check import ARCHIVE_SUFFIXES

SUFFIXES = (*ARCHIVE_SUFFIXES, ".wacz")


def expand(paths: tuple[Path, ...]) -> list[Path]:
    """The files named, and the archive files under the folders named (sorted, recursively;
    hidden files and ``.open`` files being written are left out)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file()
                            and p.name.endswith(SUFFIXES) and not p.name.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            raise NotFound(f"{path}: no such file or folder")
    return files


@click.command("import")
@click.argument("collection")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=False))
@click.option("--title", help="Title of the collection, if it is created [default: its name].")
@click.option("--kind", type=click.Choice(["site", "event"]), default="site", show_default=True,
              help="Kind of the collection, if it is created.")
@click.option("--move", is_flag=True,
              help="Move the files in instead of copying them (each once it is placed).")
@click.pass_obj
def import_command(home: Home, collection: str, paths: tuple[Path, ...], title: str | None,
                   kind: str, move: bool) -> None:
    """Take in .warc, .warc.gz, .arc, .arc.gz and .wacz files (or folders of them) into
    COLLECTION, created (private) if missing: each checked whole, copied unchanged, indexed."""
    wrong = slug_problem(collection)
    if wrong is not None:
        raise ConfigError(f"collection: {wrong}")
    files = expand(paths)
    catalog = home.require().catalog
    with catalog.session() as session:
        _, created = create_collection(session, collection, title=title or collection,
                                       kind=kind)
    collection_dir = home.ensure_collection(collection).dir
    if created:
        click.echo(f"created collection {collection} (private)")
    rejected = 0
    with TextPool(home.settings["index.workers"], home.settings["index.pdf_max_bytes"],
                  home.settings["index.max_decoded_bytes"]) as pool:
        for source in files:
            take = import_wacz if source.name.endswith(".wacz") else import_archive
            outcome: Outcome = take(catalog, collection, collection_dir, source, move=move,
                                    pool=pool)
            click.echo(f"{source}: {outcome.message}")
            for problem in outcome.problems:
                click.echo(problem, err=True)
            rejected += outcome.rejected
    if rejected:
        click.echo(f"{rejected} of {len(files)} file(s) rejected; nothing of them was taken in",
                   err=True)
        sys.exit(1)
