"""Chinese and English: every UI string comes from a message catalogue kept as data.

``web/messages/<lang>.yaml`` maps keys to text (``str.format`` fields allowed).  The language
is the visitor's choice (a cookie set by /lang/<code>), else what the browser asks for in
Accept-Language, else Chinese.  A key missing from a catalogue is an error, not a blank.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, g, request

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
COOKIE = "lang"
MESSAGES = Path(__file__).with_name("messages")


@cache
def catalogue(lang: str) -> dict[str, str]:
    data = yaml.safe_load((MESSAGES / f"{lang}.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def language() -> str:
    if "lang" not in g:
        chosen = request.cookies.get(COOKIE)
        if chosen not in LANGUAGES:
            if request.accept_languages:
                chosen = request.accept_languages.best_match(LANGUAGES, default="en")
            else:
                chosen = DEFAULT
        g.lang = chosen
    lang: str = g.lang
    return lang


def translate(key: str, **fields: Any) -> str:
    text = catalogue(language())[key]
    return text.format(**fields) if fields else text


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=translate, language=language, languages=LANGUAGES)
