"""The ``diancang`` command line: one archive home, every step from seed list to replay."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from diancang.errors import DiancangError, NotFound
from diancang.home import DEFAULT_HOME, Home
from diancang.listing import echo_rows
from seeds.model import SeedList
from seeds.parse import load_seed_list

pass_home = click.make_pass_decorator(Home)

# The commands kept in modules of their own, each imported only when it is run (or listed by
# --help): every command is a child process of the scheduler and of the tests, and importing
# them all (pywb, the indexer, trafilatura, flask ...) cost each one a second of CPU.
LAZY_COMMANDS = {
    "search": "diancang.search_command:search_command",
    "schedule": "diancang.schedule_command:schedule",
    "scheduler": "diancang.schedule_command:scheduler",
    "report": "diancang.report_command:report_command",
    "verify": "diancang.verify_command:verify_command",
    "web": "diancang.web_command:web",
    "user": "diancang.web_command:user",
    "access": "diancang.access_command:access",     # who may see what: access rules
    "import": "diancang.import_command:import_command",
    "collections": "diancang.collections_command:collections_command",
    "export": "diancang.export_command:export_command",
    "indexer": "diancang.indexer_command:indexer_command",
    "worker": "diancang.worker_command:worker_command",   # a distributed crawl's worker
}


class DiancangGroup(click.Group):
    """Maps every error a user can cause, once: its lines on stderr, its exit status, no
    traceback (``errors.DiancangError`` is the root every package derives its errors from);
    and imports the commands of ``LAZY_COMMANDS`` when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, _, name = LAZY_COMMANDS[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command) and command.name == cmd_name, command
            self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DiancangError as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            sys.exit(exc.exit_code)


@click.group(cls=DiancangGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_HOME,
              envvar="DIANCANG_HOME", show_default=True, show_envvar=True,
              help="The archive home directory.")
@click.version_option(package_name="diancang")
@click.pass_context
def main(ctx: click.Context, home: Path) -> None:
    """Diancang (典藏): harvest websites into WARC files, catalogue them, replay them by date."""
    ctx.obj = Home(home)


@main.command()
@pass_home
def init(home: Home) -> None:
    """Create the archive home: settings, catalogue, collections/, pywb config."""
    created = home.init()
    for path in created:
        click.echo(f"created {path}")
    click.echo(f"archive home ready at {home.path} (catalogue: {home.settings.database_url})")


@main.group()
def seeds() -> None:
    """Validate and import seed lists (YAML, or CSV with the same columns)."""


def _summary(seed_list: SeedList) -> str:
    hosts = {seed.url.split("/")[2] for seed in seed_list.seeds}
    return (f"{seed_list.source}: collection {seed_list.collection} ({seed_list.kind}, "
            f"schedule {seed_list.schedule}): {len(seed_list.seeds)} seeds on {len(hosts)} hosts")


@seeds.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_home
def seeds_validate(home: Home, file: Path) -> None:
    """Check FILE; print every problem as FILE:LINE: field: what was expected (exit 2)."""
    seed_list = load_seed_list(file, defaults=home.settings.seed_defaults)
    click.echo(_summary(seed_list) + ": valid")


@seeds.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_home
def seeds_import(home: Home, file: Path) -> None:
    """Create or update the collection and its seeds from FILE, all or nothing."""
    from catalog.collections import import_seed_list

    home.require()
    seed_list = load_seed_list(file, defaults=home.settings.seed_defaults)
    with home.catalog.session() as session:
        result = import_seed_list(session, seed_list)
    home.ensure_collection(seed_list.collection)
    verb = "created" if result.created else "updated"
    click.echo(f"{verb} collection {result.collection}: {result.added} seeds added, "
               f"{result.updated} updated, {result.removed} removed")


@seeds.command("export")
@click.argument("collection")
@pass_home
def seeds_export(home: Home, collection: str) -> None:
    """Print COLLECTION's seed list as YAML."""
    from catalog.collections import get_collection, seed_list_of
    from seeds.model import seed_list_to_yaml

    with home.require().catalog.session() as session:
        coll = get_collection(session, collection)
        if coll is None:
            raise NotFound(f"no collection {collection!r} in the catalogue")
        click.echo(seed_list_to_yaml(seed_list_of(coll)), nl=False)


@main.command()
@click.argument("collection")
@click.option("--seeds", "seed_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Import this seed list into the collection first.")
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after N URLs in all.")
@click.option("--depth", type=click.IntRange(min=0), help="Link hops from each seed.")
@click.option("--progress/--no-progress", default=None,
              help="Live progress line (default: on when stderr is a terminal).")
@click.option("--request", "request_id", type=int, hidden=True,
              help="The crawl request this crawl carries out (set by the scheduler).")
@click.option("--resume", is_flag=True,
              help="Continue the collection's unfinished (stopped, failed or killed) crawl.")
@click.option("--restart", is_flag=True,
              help="Start a new crawl even though an unfinished one could be resumed.")
@click.option("--pause", is_flag=True,
              help="Ask the collection's running crawl to stop; --resume continues it.")
@click.option("--workers", type=click.IntRange(min=0),
              help="With frontier.url: start N local workers (default 1; 0: only "
                   "`diancang worker` processes elsewhere) that share the crawl.")
@click.option("--resume-failed", is_flag=True, hidden=True,
              help="Resume the collection's crawl if it failed, else start one (the scheduler's).")
@pass_home
def crawl(home: Home, collection: str, seed_file: Path | None, max_pages: int | None,
          depth: int | None, progress: bool | None, request_id: int | None, resume: bool,
          restart: bool, pause: bool, resume_failed: bool, workers: int | None) -> None:
    """Crawl COLLECTION now: WARCs, then indexes and catalogue rows. Ctrl-C stops cleanly;
    --resume continues a stopped, failed or killed crawl."""
    from diancang import crawl_command

    if resume + restart + pause > 1:
        raise click.UsageError("--resume, --restart and --pause exclude each other")
    if pause:
        sys.exit(crawl_command.pause(home, collection))
    if progress is None:
        progress = sys.stderr.isatty()
    sys.exit(crawl_command.run(home, collection, seed_file=seed_file, max_pages=max_pages,
                               depth=depth, progress=progress, request_id=request_id,
                               resume=resume, restart=restart,
                               resume_failed=resume_failed, workers=workers))


@main.command()
@click.argument("collection", required=False)
@click.option("--json", "as_json", is_flag=True, help="A JSON list of crawl objects.")
@pass_home
def crawls(home: Home, collection: str | None, as_json: bool) -> None:
    """List crawl history with its stats."""
    from diancang.crawls_listing import HEADER, crawl_lines, crawl_rows

    rows = crawl_rows(home.require(), collection)
    echo_rows(rows, crawl_lines, as_json=as_json, empty="no crawls yet", header=HEADER)


@main.command()
@click.argument("collection", required=False)
@click.option("--rebuild", is_flag=True,
              help="Drop the CDXJ indexes and capture rows and recreate them from the WARCs.")
@pass_home
def index(home: Home, collection: str | None, rebuild: bool) -> None:
    """(Re)build the CDXJ indexes and capture rows from the WARC and ARC files; exit 1 naming
    each record or file skipped."""
    from diancang.index_progress import echo_index_progress
    from indexer.collection import index_collection

    catalog = home.require().catalog
    if rebuild and collection is None:      # a lost catalogue: collections from their WARCs
        from diancang.recovery import LOST, describe, recover_missing

        found = recover_missing(home)
        for one in found:
            click.echo(describe(one))
        if found:
            click.echo("not in the WARC files, so not recovered: " + ", ".join(LOST))
    skipped = 0
    for slug in home.collection_slugs(collection):
        paths = home.collection(slug)
        result = index_collection(catalog, slug, paths.archive, paths.indexes, rebuild=rebuild,
                                  **home.settings.index_options(), on_file=echo_index_progress)
        for problem in result.problems:
            click.echo(problem, err=True)
        skipped += result.skipped + result.skipped_records
        files_skipped = f", {result.skipped} skipped" if result.skipped else ""
        click.echo(f"{slug}: indexed {result.files} WARC files{files_skipped}, "
                   f"{result.captures} captures")
    if skipped:         # every file and collection was tried; what was skipped is named above
        click.echo(f"{skipped} file(s) or record(s) skipped, named above: not indexed",
                   err=True)
        sys.exit(1)


@main.command()
@click.option("--host", help="Interface to listen on [default: replay.host, 127.0.0.1].")
@click.option("--port", type=int, help="Port [default: replay.port, 8080]; 0 picks a free one.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Worker processes [default: replay.workers; 0 there: one per core].")
@pass_home
def serve(home: Home, host: str | None, port: int | None, workers: int | None) -> None:
    """Replay every collection with pywb: /<coll>/<timestamp>/<url>, calendar, Memento."""
    from diancang.serving import serve_replay

    home.require()
    settings = home.settings
    home.write_replay_config()
    serve_replay(home, host or settings["replay.host"],
                 settings["replay.port"] if port is None else port,
                 workers=workers or settings["replay.workers"],
                 ready=lambda url: click.echo(f"replay at {url}  (Ctrl-C to stop)"))


@main.command()
@click.option("--port", type=int, default=8080, show_default=True, help="Replay port.")
@click.option("--no-serve", is_flag=True, help="Crawl and index only; do not start replay.")
@pass_home
def demo(home: Home, port: int, no_serve: bool) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it into 'demo', index, replay."""
    from diancang.demo.run import run_demo

    run_demo(home, replay_port=port, serve=not no_serve)


if __name__ == "__main__":
    main()
