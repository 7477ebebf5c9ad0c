"""Curator pages: collections (create, describe, publish) and their seeds (one at a time in
the browser, or a whole YAML/CSV list imported all or nothing, or exported as YAML)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask import Response as FlaskResponse
from werkzeug.wrappers import Response

from catalog.collections import get_collection, list_collections, seed_list_of
from catalog.crawls import crawl_summary, list_crawls
from catalog.curation import (
    DUBLIN_CORE,
    CurationError,
    create_collection,
    remove_seed,
    save_seed,
    update_collection,
)
from catalog.fixity import collection_fixity
from catalog.models import Collection
from catalog.schedules import get_schedule
from seeds.errors import SeedListError
from seeds.model import BROWSER, KINDS, ROBOTS, SCOPES, seed_list_to_yaml
from web.context import db, web
from web.scoping import may_work_on
from web.security import protect

bp = protect(Blueprint("admin_collections", __name__, url_prefix="/admin"))

DESCRIPTIVE = ("title", "kind", "description")
SEED_TEXT = ("url", "title", "agency", "scope", "robots", "browser")
SEED_NUMBERS = ("depth", "max_pages", "delay", "concurrency")


def _collection(slug: str) -> Collection:
    coll = get_collection(db(), slug)
    if coll is None:
        abort(404)
    return coll


@bp.route("/")
def dashboard() -> str:
    return render_template("admin/dashboard.html", collections=[
        coll for coll in list_collections(db()) if may_work_on(coll.slug)],
        fixity=collection_fixity(db()))


@bp.route("/collections/new", methods=["GET", "POST"])
def new_collection() -> str | Response | tuple[str, int]:
    form = request.form
    if request.method == "POST":
        try:
            coll = create_collection(db(), form.get("slug", ""), form.get("title", ""),
                                     form.get("kind", "site"))
            update_collection(coll, _described(form))
        except CurationError as exc:
            db().rollback()
            return render_template("admin/collection_new.html", form=form, error=exc,
                                   kinds=KINDS), 422
        db().commit()
        return redirect(url_for(".collection", slug=coll.slug))
    return render_template("admin/collection_new.html", form=form, error=None, kinds=KINDS)


def _described(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {name: form.get(name, "") for name in (*DESCRIPTIVE, *DUBLIN_CORE)}
    values["public"] = form.get("public") == "on"
    return values


@bp.route("/collections/<slug>", methods=["GET", "POST"])
def collection(slug: str) -> str | Response | tuple[str, int]:
    coll = _collection(slug)
    error = None
    if request.method == "POST":
        try:
            update_collection(coll, _described(request.form))
        except CurationError as exc:
            db().rollback()
            coll = _collection(slug)
            error = exc
        else:
            db().commit()
            return redirect(url_for(".collection", slug=slug, saved=1))
    crawls = [crawl_summary(c, s) for c, s in list_crawls(db(), slug)][::-1][:10]
    return render_template("admin/collection.html", coll=coll, error=error, kinds=KINDS,
                           crawls=crawls, saved=bool(request.args.get("saved")),
                           schedule=get_schedule(db(), slug),
                           fixity=collection_fixity(db()).get(coll.id)), \
        422 if error else 200


def _seed_entry(form: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {name: form.get(name, "").strip() for name in SEED_TEXT}
    for name in SEED_NUMBERS:
        entry[name] = form.get(name, "").strip()
    entry["exclude"] = [line.strip() for line in form.get("exclude", "").splitlines()
                        if line.strip()]
    return entry


@bp.route("/collections/<slug>/seeds/new", methods=["GET", "POST"])
@bp.route("/collections/<slug>/seeds/<int:seed_id>", methods=["GET", "POST"])
def seed(slug: str, seed_id: int | None = None) -> str | Response | tuple[str, int]:
    coll = _collection(slug)
    row = None
    if seed_id is not None:
        row = next((s for s in coll.seeds if s.id == seed_id), None)
        if row is None:
            abort(404)
    problems: list[str] = []
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = _seed_entry(request.form)
        try:
            save_seed(db(), coll, values, replaces=row.url if row is not None else None,
                      defaults=web().seed_defaults)
        except SeedListError as exc:
            problems = [f"{p.field}: {p.message}" for p in exc.problems]
        except CurationError as exc:
            problems = [str(exc)]
        if problems:
            db().rollback()
            coll = _collection(slug)
        else:
            db().commit()
            return redirect(url_for(".collection", slug=slug) + "#seeds")
    elif row is not None:
        values = {name: getattr(row, name) for name in (*SEED_TEXT, *SEED_NUMBERS)}
        values["exclude"] = list(row.exclude or [])
    return render_template("admin/seed.html", coll=coll, row=row, values=values,
                           problems=problems, scopes=SCOPES, robots=ROBOTS,
                           browsers=BROWSER), \
        422 if problems else 200


@bp.route("/collections/<slug>/seeds/<int:seed_id>/remove", methods=["POST"])
def seed_remove(slug: str, seed_id: int) -> Response:
    coll = _collection(slug)
    row = next((s for s in coll.seeds if s.id == seed_id), None)
    if row is None:
        abort(404)
    remove_seed(db(), coll, row.url)
    db().commit()
    return redirect(url_for(".collection", slug=slug) + "#seeds")


@bp.route("/collections/<slug>/seeds.yaml")
def export(slug: str) -> Response:
    text = seed_list_to_yaml(seed_list_of(_collection(slug)))
    return FlaskResponse(text, mimetype="application/x-yaml",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.yaml"'})


@bp.route("/collections/<slug>/crawls")
def crawls(slug: str) -> str:
    coll = _collection(slug)
    rows = [crawl_summary(c, s) for c, s in list_crawls(db(), slug)][::-1]
    return render_template("admin/crawls.html", coll=coll, crawls=rows)
