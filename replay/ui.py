"""Replay's own face: Diancang's templates and its zh/en catalogues, installed into HOME.

pywb looks for templates in ``HOME/templates`` and static files in ``HOME/static`` before
its own, and for gettext catalogues in ``HOME/i18n/translations/<locale>/LC_MESSAGES/``.
All are generated here from ``replay/templates``, ``replay/static`` and
``replay/i18n/<locale>.po`` whenever the config is written, like
``config.yaml``, and never hand-edited in HOME.  Message ids are English (pywb's own strings
and ours), so the English catalogue is empty: it exists so that pywb does not fall back to
the default locale's (Chinese) catalogue for English readers.
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
LOGO = "diancang-logo.svg"             # in STATIC; pywb's banner shows it, linked to the app
CATALOGUES = Path(__file__).with_name("i18n")
LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
LOCALES_DIR = "i18n/translations"      # relative to HOME, pywb's working directory


def install_ui(home: Path) -> None:
    for folder, pattern in ((TEMPLATES, "*.html"), (STATIC, "*.svg")):
        target = Path(home) / folder.name
        target.mkdir(exist_ok=True)
        for path in sorted(folder.glob(pattern)):
            _replace(target / path.name, path.read_bytes())
    for locale in LOCALES:
        with (CATALOGUES / f"{locale}.po").open("rb") as po:
            catalogue = read_po(po, locale=locale)
        out = Path(home) / LOCALES_DIR / locale / "LC_MESSAGES" / "messages.mo"
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        with tmp.open("wb") as mo:
            write_mo(mo, catalogue)
        os.replace(tmp, out)


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
