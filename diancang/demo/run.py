"""``diancang demo``: the whole spine on a bundled site, for a newcomer's first minute.

Serves the bundled site (``diancang/demo/site``) on 127.0.0.1, crawls it into the ``demo``
collection with the real ``diancang crawl`` (a child process, as the scheduler runs crawls),
and starts replay.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import click

from diancang.demo.server import FixtureServer
from diancang.home import Home

DEMO_SITE = Path(__file__).with_name("site")
DEMO_SITE_PORT = 8741   # stable, so repeated demos recrawl the same URLs; any free port if taken


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run_demo(home: Home, *, replay_port: int, serve: bool) -> None:
    for created in home.init():
        click.echo(f"created {created}")
    server = FixtureServer(DEMO_SITE, port=DEMO_SITE_PORT if _free(DEMO_SITE_PORT) else 0)
    server.start()
    try:
        click.echo(f"demo site serving at {server.origin}/")
        seeds = (DEMO_SITE / "seeds.yaml").read_text(encoding="utf-8")
        seed_file = home.path / "demo-seeds.yaml"
        seed_file.write_text(seeds.replace("{{ORIGIN}}", server.origin), encoding="utf-8")
        env = dict(os.environ, DIANCANG_CRAWL_ALLOW_PRIVATE="1")
        status = subprocess.call([sys.executable, "-m", "diancang.cli", "--home", str(home.path),
                                  "crawl", "demo", "--seeds", str(seed_file)], env=env)
    finally:
        server.stop()
    if status != 0:
        raise SystemExit(status)
    if serve:
        from diancang.serving import serve_replay

        home.write_replay_config()

        def ready(url: str) -> None:
            click.echo(f"\nreplay at {url}\nopen {url}demo/*/{server.origin}/  "
                       f"(the demo's captures; Ctrl-C to stop)")

        serve_replay(home, "127.0.0.1", replay_port if _free(replay_port) else 0,
                     workers=home.settings["replay.workers"], ready=ready)
