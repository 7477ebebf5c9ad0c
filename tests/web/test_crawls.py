"""Crawl pages: live progress from the running crawl's stats.json, figures from the catalogue
once it ended."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from catalog.collections import get_collection
from catalog.crawls import finish_crawl, start_crawl
from diancang.home import Home
from tests.support import SEED_DEFAULTS, log_in
from web.app import create_app


def test_progress_reads_stats_json_while_running_then_the_catalogue(
        app: Flask, catalog_url: str, tmp_path: Path) -> None:
    live = create_app(catalog_url, login_limit=10, login_window=900.0, seed_defaults=SEED_DEFAULTS,
                      replay_base="http://localhost:1", secret_key="k" * 32,
                      crawl_files=Home(tmp_path).crawl, migrate=False)
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
    stats = Home(tmp_path).crawl(crawl_id).stats
    stats.parent.mkdir(parents=True)
    stats.write_text(json.dumps(
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


def test_schedule_crawl_now_and_stop_go_through_the_catalogue(app: Flask) -> None:
    from sqlalchemy import select

    from catalog.crawl_requests import attach_crawl, claim
    from catalog.models import Crawl, CrawlRequest
    from catalog.schedules import get_schedule

    client = app.test_client()
    token = log_in(client, "lin")
    catalog = app.extensions["diancang"].catalog
    base = "/admin/collections/gd-gov"
    assert client.post(f"{base}/schedule", data={"csrf_token": token, "spec": "cron 0 3 * * 1",
                                                 "start": "2030-01-01T03:00"}
                       ).status_code == 302
    bad = client.post(f"{base}/schedule", data={"csrf_token": token, "spec": "hourly"},
                      follow_redirects=True, headers={"Accept-Language": "zh"})
    assert "schedule: expected once | daily" in bad.get_data(as_text=True)
    assert client.post(f"{base}/schedule", data={"csrf_token": token, "action": "pause"}
                       ).status_code == 302
    with catalog.session() as s:
        info = get_schedule(s, "gd-gov")
        assert info is not None and (info.spec, info.paused) == ("cron 0 3 * * 1", True)
        assert info.start is not None and info.start.year == 2030
    page = client.get(base, headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "计划：cron 0 3 * * 1" in page and "已暂停" in page and "恢复" in page
    client.post(f"{base}/schedule", data={"csrf_token": token, "action": "resume"})
    client.post(f"{base}/schedule", data={"csrf_token": token, "action": "remove"})
    with catalog.session() as s:
        assert get_schedule(s, "gd-gov") is None

    now = client.post(f"{base}/crawl", data={"csrf_token": token})
    assert now.status_code == 302 and now.headers["Location"].startswith("/admin/requests/")
    request_id = int(now.headers["Location"].rsplit("/", 1)[1])
    waiting = client.get(f"/admin/requests/{request_id}.json").get_json()
    assert (waiting["status"], waiting["crawl_url"]) == ("queued", None)
    with catalog.session() as s:
        row = s.get(CrawlRequest, request_id)
        assert row is not None and row.requested_by == "lin" and row.urls is None
        assert claim(s, request_id)            # what the daemon does, then the crawl
        coll_id = row.collection_id
        crawl = Crawl(collection_id=coll_id, status="running", started=row.requested, stats={})
        s.add(crawl)
        s.flush()
        attach_crawl(s, request_id, crawl.id)
        crawl_id = crawl.id
    started = client.get(f"/admin/requests/{request_id}")
    assert started.headers["Location"] == f"/admin/crawls/{crawl_id}"
    assert "停止采集" in client.get(f"/admin/crawls/{crawl_id}",
                                 headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert client.post(f"/admin/crawls/{crawl_id}/stop", data={"csrf_token": token}
                       ).status_code == 302
    with catalog.session() as s:
        stopped = s.scalars(select(Crawl).where(Crawl.id == crawl_id)).one()
        assert stopped.stop_requested is not None
