"""Crawl pages: live progress from the running crawl's stats.json, figures from the catalogue
once it ended."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from catalog.collections import get_collection
from catalog.crawls import finish_crawl, start_crawl
from tests.web.conftest import log_in
from web.app import create_app


def test_progress_reads_stats_json_while_running_then_the_catalogue(
        app: Flask, catalog_url: str, tmp_path: Path) -> None:
    crawls = tmp_path / "crawls"
    live = create_app(catalog_url, replay_base="http://localhost:1", secret_key="k" * 32,
                      crawls_dir=crawls, migrate=False)
    catalog = live.extensions["diancang"].catalog
    with catalog.session() as s:
        coll = get_collection(s, "gd-gov")
        assert coll is not None
        crawl_id = start_crawl(s, coll).id
    client = live.test_client()
    assert client.get(f"/admin/crawls/{crawl_id}/progress.json").status_code == 302  # anonymous
    log_in(client, "lin")
    first = client.get(f"/admin/crawls/{crawl_id}/progress.json").get_json()
    assert first["status"] == "running" and first["pages"] == 0 and first["queued"] is None
    (crawls / str(crawl_id)).mkdir(parents=True)
    (crawls / str(crawl_id) / "stats.json").write_text(json.dumps(
        {"pages": 42, "bytes": 123456, "errors": 1, "rate": 8.4, "queued": 17,
         "in_flight": 2, "elapsed": 5.0}), encoding="utf-8")
    running = client.get(f"/admin/crawls/{crawl_id}/progress.json").get_json()
    assert (running["pages"], running["queued"], running["in_flight"], running["rate"]) == (
        42, 17, 2, 8.4)
    page = client.get(f"/admin/crawls/{crawl_id}", headers={"Accept-Language": "zh"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-progress-url="/admin/crawls/' in html
    assert 'data-field="queued">17<' in html and 'data-field="bytes">123.5 kB<' in html
    with catalog.session() as s:
        finish_crawl(s, crawl_id, status="finished", stop_reason=None,
                     stats={"pages": 50, "bytes": 200000, "errors": 2,
                            "status": {"200": 48, "404": 2}, "refused": {"robots": 3}})
    done = client.get(f"/admin/crawls/{crawl_id}/progress.json").get_json()
    assert (done["status"], done["pages"], done["errors"]) == ("finished", 50, 2)
    assert done["shown"]["bytes"] == "200.0 kB" and done["shown"]["queued"] == "—"
    html = client.get(f"/admin/crawls/{crawl_id}", headers={"Accept-Language": "zh"}).get_data(
        as_text=True)
    assert "按 HTTP 状态" in html and "<td>robots</td>" in html
    assert client.get("/admin/crawls/99999").status_code == 404
    catalog.dispose()
