"""Every setting declared once (name, default, help), then layered.

Order, lowest first: the defaults below < ``HOME/diancang.toml`` < ``DIANCANG_<SECTION>_<KEY>``
environment variables < command-line flags.  Asking for a name that is not declared raises
``UnknownSetting``: a misspelt name is an error, never a silent ``None``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diancang.errors import ConfigError, UnknownSetting


@dataclass(frozen=True, slots=True)
class Setting:
    section: str
    key: str
    default: Any
    help: str

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def env(self) -> str:
        return f"DIANCANG_{self.section.upper()}_{self.key.upper()}"


MB = 1_000_000

DECLARED: tuple[Setting, ...] = (
    Setting("database", "url", "",
            "SQLAlchemy URL of the catalogue; empty means HOME/catalog.sqlite "
            "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"),
    Setting("operator", "name", "Diancang operator",
            "Who runs the crawls (the library); written into every WARC's warcinfo"),
    Setting("operator", "contact", "https://example.org/webarchive/contact",
            "URL or mailto: where site owners reach the operator; part of the user agent"),
    Setting("crawl", "user_agent", "",
            "User agent; empty means 'Diancang/<version> (+<operator.contact>)'"),
    Setting("crawl", "accept_language", "zh-CN,zh;q=0.9,en;q=0.8",
            "Accept-Language of every request: a reader's browser in China; sites that choose "
            "a language by it serve the pages those readers see"),
    Setting("crawl", "obey_robots", True,
            "Obey robots.txt (a seed may override with robots: ignore, recorded in the WARC)"),
    Setting("crawl", "concurrency", 16,
            "Connections open at once across all hosts of one crawl"),
    Setting("crawl", "host_concurrency", 2,
            "Connections per host when the seed list gives none"),
    Setting("crawl", "delay", 1.0, "Seconds between requests to one host when the seed list gives none"),
    Setting("crawl", "depth", 5, "Link hops from a seed when the seed list gives none"),
    Setting("crawl", "max_pages", 20000, "URLs fetched per seed when the seed list gives none"),
    Setting("crawl", "timeout", 180.0,
            "Seconds one download may take; a body still arriving then is kept as far as it "
            "came, marked WARC-Truncated: time"),
    Setting("crawl", "max_response_size", 100 * MB,
            "Bytes kept of one response body; the rest is cut, marked WARC-Truncated: length"),
    Setting("crawl", "allow_private", False,
            "Fetch from private, loopback and link-local addresses (off: such hosts are "
            "refused, so a seed or redirect cannot reach the library's own network)"),
    Setting("crawl", "robots_retry_after", 60.0,
            "Seconds before a robots.txt that answered 5xx or nothing is asked again; until "
            "then its host is disallowed (RFC 9309)"),
    Setting("crawl", "robots_attempts", 3,
            "Times an unreachable robots.txt is asked before its host's URLs are refused"),
    Setting("crawl", "retries", 2, "Retries of a failed download (connection errors, 5xx)"),
    Setting("crawl", "browser_executable", "/usr/bin/chromium",
            "Chromium that renders the pages of seeds with browser: auto | on (Debian's "
            "chromium package); when it is missing those pages are read by Scrapy alone"),
    Setting("crawl", "browser_pages", 2, "Pages Chromium renders at once (two on two cores)"),
    Setting("crawl", "browser_restart_every", 100,
            "Rendered pages after which Chromium is started afresh, so its memory stays bounded"),
    Setting("crawl", "browser_timeout", 30.0, "Seconds a rendered page may take to load"),
    Setting("crawl", "browser_settle", 5.0,
            "Seconds waited at most for a rendered page's network to settle, after loading "
            "and after each scroll or click"),
    Setting("crawl", "browser_clicks", 5,
            "Clicks per rendered page, at most, on 'load more' and next-page controls"),
    Setting("crawl", "browser_scrolls", 10,
            "Scrolls to the end per rendered page, at most (infinite scroll)"),
    Setting("crawl", "heartbeat", 10.0,
            "Seconds between a running crawl's lock heartbeats (and checks for a stop request)"),
    Setting("warc", "max_size", 1_000 * MB, "Bytes after which a WARC file is closed and a new one started"),
    Setting("warc", "gzip_level", 6, "zlib level of each record's gzip member (1 fastest, 9 smallest)"),
    Setting("index", "workers", 0,
            "Processes extracting page text when indexing; 0 means one per CPU core"),
    Setting("index", "pdf_max_bytes", 20 * MB,
            "PDFs larger than this are catalogued without their text"),
    Setting("limits", "duration", 0.0,
            "Seconds after which a crawl stops when its seed list gives no limit (0: none)"),
    Setting("limits", "pages", 0,
            "Responses after which a crawl stops when its seed list gives no limit (0: none)"),
    Setting("limits", "bytes", 0,
            "WARC bytes after which a crawl stops when its seed list gives no limit (0: none)"),
    Setting("scheduler", "timezone", "UTC",
            "Time zone of schedules (daily/weekly/monthly run at 03:00 there), e.g. Asia/Shanghai"),
    Setting("scheduler", "misfire_grace", 3600,
            "Seconds a run missed while the daemon was down may start late; older ones are "
            "recorded as missed (several missed runs of one schedule start once)"),
    Setting("scheduler", "poll_interval", 5.0,
            "Seconds between the daemon's looks at the catalogue (crawl requests, schedules)"),
    Setting("scheduler", "lock_stale_after", 120.0,
            "Seconds without a heartbeat after which a crawl lock's holder is taken for dead"),
    Setting("replay", "host", "127.0.0.1", "Interface `diancang serve` listens on"),
    Setting("replay", "port", 8080, "Port `diancang serve` listens on"),
    Setting("traps", "max_url_length", 2083, "Longer URLs are not fetched (url-too-long)"),
    Setting("traps", "max_path_depth", 20, "URLs with more path segments are not fetched (path-too-deep)"),
    Setting("traps", "max_path_repeats", 3,
            "Times one path segment may occur in a URL's path (path-repeats: /a/a/a/a/)"),
    Setting("traps", "max_query_variants", 1000,
            "Distinct query strings of links followed per host and path (query-variants: calendars)"),
    Setting("traps", "max_outlinks", 6000,
            "Links followed from one page; requisites are not limited (too-many-outlinks)"),
    Setting("traps", "max_host_pages", 50000,
            "URLs fetched per host, requisites included, across all seeds (host-budget)"),
    Setting("traps", "soft404_repeats", 20,
            "Identical page responses under one directory after which it is left (soft-404)"),
    Setting("web", "host", "127.0.0.1",
            "Interface `diancang web` listens on; its host name must differ from the "
            "replay's (web.replay_url), so archived pages' scripts never share its cookies"),
    Setting("web", "port", 8000, "Port `diancang web` listens on"),
    Setting("web", "secret_key", "",
            "Key signing the web app's session cookies and CSRF tokens; empty means one "
            "generated once and kept in HOME/web-secret.key"),
    Setting("web", "replay_url", "http://localhost:8080",
            "Base URL of replay as browsers reach it, on another host name than the app"),
)

_BY_NAME: dict[str, Setting] = {s.name: s for s in DECLARED}


def declared(name: str) -> Setting:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownSetting(name, sorted(_BY_NAME)) from None


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    """Convert ``value`` to the type of the setting's default, or raise a ConfigError."""
    kind = type(setting.default)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if kind is bool:
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            if kind is int:
                return int(text.replace("_", ""))
            if kind is float:
                return float(text)
        except ValueError:
            pass
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    raise ConfigError(f"{origin}: {setting.name}: expected {kind.__name__}, got {value!r}")


class Settings:
    """The resolved settings of one archive home."""

    def __init__(self, home: Path, values: Mapping[str, Any]):
        self.home = home
        self._values = dict(values)

    def __getitem__(self, name: str) -> Any:
        declared(name)
        return self._values[name]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    @property
    def database_url(self) -> str:
        return self["database.url"] or f"sqlite:///{self.home / 'catalog.sqlite'}"

    @property
    def seed_defaults(self) -> dict[str, Any]:
        """What a seed list gets where it gives neither a seed value nor a list default."""
        return {"depth": self["crawl.depth"], "max_pages": self["crawl.max_pages"],
                "delay": self["crawl.delay"], "concurrency": self["crawl.host_concurrency"]}

    @property
    def user_agent(self) -> str:
        from diancang import __version__

        return self["crawl.user_agent"] or f"Diancang/{__version__} (+{self['operator.contact']})"

    @classmethod
    def load(cls, home: Path, *, environ: Mapping[str, str] | None = None,
             overrides: Mapping[str, Any] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values = {s.name: s.default for s in DECLARED}
        toml_path = home / "diancang.toml"
        if toml_path.exists():
            try:
                data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{toml_path}: {exc}") from None
            for section, table in data.items():
                if not isinstance(table, dict):
                    raise ConfigError(f"{toml_path}: {section}: expected a [section] table")
                for key, value in table.items():
                    name = f"{section}.{key}"
                    if name not in _BY_NAME:
                        raise ConfigError(f"{toml_path}: {name}: unknown setting "
                                          f"(known: {', '.join(sorted(_BY_NAME))})")
                    values[name] = _coerce(_BY_NAME[name], value, str(toml_path))
        for setting in DECLARED:
            if setting.env in environ:
                values[setting.name] = _coerce(setting, environ[setting.env], setting.env)
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = _coerce(declared(name), value, "command line")
        return cls(home, values)


def default_toml() -> str:
    """``diancang.toml`` as ``diancang init`` writes it: every setting, commented, with its help."""
    lines = ["# Diancang settings for this archive home.",
             "# Uncomment a line to change it. Environment variables DIANCANG_<SECTION>_<KEY>",
             "# override this file; command-line flags override both.", ""]
    section = None
    for s in DECLARED:
        if s.section != section:
            section = s.section
            lines += ["", f"[{section}]"]
        lines.append(f"# {s.help}")
        lines.append(f"# {s.key} = {_toml_value(s.default)}")
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)
