"""An archive home with three collections for the access tests: public ``pub``, private
``priv`` and public-with-an-embargo ``emb``, each holding the same pages captured long ago and
yesterday, written with warcio and indexed by the real ``diancang index``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support import run_cli

SITE = "http://www.example.com"
OLD = datetime(2020, 3, 1, 8, tzinfo=UTC)
PAGES = ("/", "/news/secret.html", "/about.html")


def _warc(path: Path, when: list[datetime]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for moment in when:
            for page in PAGES:
                body = f"<html><body><h1>page {page} of {moment:%Y-%m-%d}</h1></body></html>"
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                        protocol="HTTP/1.1")
                record = writer.create_warc_record(
                    SITE + page, "response", payload=BytesIO(body.encode()),
                    http_headers=http,
                    warc_headers_dict={"WARC-Date": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})
                writer.write_record(record)


def build(home: Path) -> dict[str, str]:
    """Create and index the home; returns each collection's recent capture timestamp."""
    run_cli(home, "init")
    recent = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    for slug, public in (("pub", True), ("priv", False), ("emb", True)):
        seeds = home / f"{slug}.yaml"
        seeds.write_text(f"collection: {slug}\npublic: {str(public).lower()}\n"
                         f"seeds: [{SITE}/]\n", encoding="utf-8")
        run_cli(home, "seeds", "import", str(seeds))
        _warc(home / "collections" / slug / "archive" / f"{slug}-1.warc.gz", [OLD, recent])
    run_cli(home, "index")
    run_cli(home, "access", "embargo", "emb", "--days", "30", "--reason", "recent news")
    return {"recent": recent.strftime("%Y%m%d%H%M%S"), "old": OLD.strftime("%Y%m%d%H%M%S")}
