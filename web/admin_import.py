"""Importing a seed list (YAML or CSV) in the browser, all or nothing.

The file is read by the same ``seeds.parse.load_seed_list`` as ``diancang seeds import``;
when it has problems nothing is written and the page shows the file with line numbers and
every problem (``FILE:LINE: field: message``) beside its line.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from catalog.collections import get_collection, import_seed_list
from seeds.errors import Problem, SeedListError
from seeds.parse import load_seed_list
from web.context import db, web
from web.scoping import may_work_on
from web.security import protect

bp = protect(Blueprint("admin_import", __name__, url_prefix="/admin"))

SUFFIXES = (".yaml", ".yml", ".csv")


@dataclass
class Line:
    number: int
    text: str
    problems: list[str] = field(default_factory=list)


def _shown(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def annotate(raw: bytes, name: str, problems: list[Problem]) -> tuple[list[Line], list[str]]:
    """The file's lines, each with its problems; and the problems of no particular line."""
    lines = [Line(i, text) for i, text in enumerate(_shown(raw).splitlines(), start=1)]
    loose: list[str] = []
    for problem in problems:
        message = f"{name}:{problem.line}: {problem.field}: {problem.message}"
        if 1 <= problem.line <= len(lines):
            lines[problem.line - 1].problems.append(message)
        else:
            loose.append(message)
    return lines, loose


def _upload() -> tuple[str, bytes] | None:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.filename, upload.read()
    text = request.form.get("text", "")
    if text.strip():
        kind = ".csv" if request.form.get("format") == "csv" else ".yaml"
        return f"pasted{kind}", text.encode("utf-8")
    return None


@bp.route("/import", methods=["GET", "POST"])
def import_seeds() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return render_template("admin/import.html", lines=None, loose=[], name=None)
    got = _upload()
    if got is None:
        return render_template("admin/import.html", lines=None, name=None,
                               loose=["file: expected a YAML or CSV file"]), 422
    name, raw = got
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return render_template("admin/import.html", lines=None, name=name,
                               loose=[f"{name}:0: file: expected a .yaml, .yml or .csv file"]), 422
    with tempfile.TemporaryDirectory(prefix="diancang-import-") as tmp:
        path = Path(tmp) / (secure_filename(Path(name).stem) or "seeds")
        path = path.with_suffix(suffix)
        path.write_bytes(raw)
        try:
            seed_list = load_seed_list(path, defaults=web().seed_defaults)
        except SeedListError as exc:
            lines, loose = annotate(raw, name, exc.problems)
            return render_template("admin/import.html", lines=lines, loose=loose, name=name,
                                   count=len(exc.problems)), 422
    if get_collection(db(), seed_list.collection) is not None \
            and not may_work_on(seed_list.collection):
        abort(404)                  # another curator's collection, as if it did not exist
    result = import_seed_list(db(), seed_list)
    db().commit()
    return redirect(url_for("admin_collections.collection", slug=result.collection,
                            imported=f"{result.added}/{result.updated}/{result.removed}"))
