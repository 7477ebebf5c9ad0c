"""Every setting declared once (name, default, help), then layered.

Order, lowest first: the defaults below < ``HOME/diancang.toml`` < ``DIANCANG_<SECTION>_<KEY>``
environment variables < command-line flags.  Asking for a name that is not declared raises
``UnknownSetting``: a misspelt name is an error, never a silent ``None``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from diancang.errors import ConfigError, UnknownSetting
from seeds.model import BROWSER, SCOPES
from seeds.traps import TrapLimits


@dataclass(frozen=True, slots=True)
class Setting:
    section: str
    key: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()      # the only values a text setting may take

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def env(self) -> str:
        return f"DIANCANG_{self.section.upper()}_{self.key.upper()}"


MB = 1_000_000
INDEX_MODES = ("inline", "queue")

DECLARED: tuple[Setting, ...] = (
    Setting("database", "url", "",
            "SQLAlchemy URL of the catalogue; empty means `HOME/catalog.sqlite`; e.g. "
            "`postgresql+psycopg://postgres@127.0.0.1:5432/test`"),
    Setting("operator", "name", "Diancang operator",
            "who runs the crawls; written into every WARC's `warcinfo`"),
    Setting("operator", "contact", "https://example.org/webarchive/contact",
            "where site owners reach the operator; part of the user agent"),
    Setting("crawl", "user_agent", "",
            "empty means `Diancang/<version> (+<operator.contact>)`"),
    Setting("crawl", "accept_language", "zh-CN,zh;q=0.9,en;q=0.8",
            "Accept-Language of every request: a reader's browser in China; sites that choose a"
            " language by it serve the pages those readers see"),
    Setting("crawl", "obey_robots", True,
            "obey robots.txt (a seed may say `robots: ignore`; the override is recorded in the "
            "WARC)"),
    Setting("crawl", "conditional", True,
            "recrawls ask with `If-None-Match` / `If-Modified-Since` (the last capture's ETag or "
            "Last-Modified) and store a 304 as a server-not-modified revisit; turn it off for "
            "sites that answer 304 although the page changed"),
    Setting("crawl", "concurrency", 16,
            "connections open at once across all hosts"),
    Setting("crawl", "host_concurrency", 2,
            "connections per host when the seed list gives none"),
    Setting("crawl", "delay", 1.0,
            "seconds between requests to one host when the seed list gives none"),
    Setting("crawl", "scope", "host",
            "how far links are followed from a seed when the seed list gives no scope: `page`, "
            "`prefix`, `host` or `domain`", SCOPES),
    Setting("crawl", "depth", 5,
            "link hops from a seed when the seed list gives none"),
    Setting("crawl", "max_pages", 20000,
            "URLs per seed when the seed list gives none"),
    Setting("crawl", "timeout", 180.0,
            "seconds one download may take; a body still arriving then is kept as far as it "
            "came, marked `WARC-Truncated: time`"),
    Setting("crawl", "max_response_size", 100 * MB,
            "bytes kept of one body; the rest is cut, marked `WARC-Truncated: length` (memory "
            "stays below `crawl.concurrency` such bodies)"),
    Setting("crawl", "allow_private", False,
            "fetch from private, loopback and link-local addresses; off, such hosts are refused"
            " (\"private-address\"), so no seed, link or redirect reaches the library's own "
            "network. The tests and `diancang demo` turn it on for their sites on 127.0.0.1"),
    Setting("crawl", "robots_retry_after", 60.0,
            "seconds before a robots.txt that answered 5xx/429 or nothing is asked again; "
            "meanwhile its host is disallowed and its URLs wait (RFC 9309)"),
    Setting("crawl", "robots_attempts", 3,
            "times such a robots.txt is asked before its host's URLs are refused "
            '("robots-unreachable")'),
    Setting("crawl", "retries", 2,
            "retries of a failed download"),
    Setting("crawl", "browser", "auto",
            "which pages Chromium renders when the seed list does not say: `off` (Scrapy alone), "
            "`auto` (the pages that need it) or `on` (every page)", BROWSER),
    Setting("crawl", "browser_executable", "/usr/bin/chromium",
            "Chromium that renders the pages of seeds with `browser: auto | on` (Debian's "
            "chromium package); when it is missing those pages are read by Scrapy alone"),
    Setting("crawl", "browser_pages", 2, "pages Chromium renders at once (two on two cores)"),
    Setting("crawl", "browser_restart_every", 100,
            "rendered pages after which Chromium is started afresh, so its memory stays bounded"),
    Setting("crawl", "browser_timeout", 30.0, "seconds a rendered page may take to load"),
    Setting("crawl", "browser_settle", 5.0,
            "seconds waited at most for a rendered page's network to settle, after loading "
            "and after each scroll or click"),
    Setting("crawl", "browser_clicks", 5,
            "clicks per rendered page, at most, on 'load more' and next-page controls"),
    Setting("crawl", "browser_scrolls", 10,
            "scrolls to the end per rendered page, at most (infinite scroll)"),
    Setting("crawl", "browser_screenshots", True,
            "a screenshot of each rendered page into the WARC (`urn:screenshot:<url>`), shown as "
            "thumbnails in the crawl report and the web app"),
    Setting("crawl", "heartbeat", 10.0,
            "seconds between a running crawl's lock heartbeats and its checks for a stop "
            "request"),
    Setting("frontier", "url", "",
            "Redis URL (e.g. `redis://host:6379/0`) of crawl frontiers shared by workers "
            "(`diancang worker`, `diancang crawl --workers N`); empty: each crawl's frontier "
            "on local disk, in one process"),
    Setting("frontier", "prefix", "diancang",
            "first part of every Redis key of the frontiers (one prefix per archive sharing a "
            "Redis server)"),
    Setting("frontier", "lease_timeout", 30.0,
            "seconds without a renewal after which a worker's hosts and in-flight URLs return "
            "to the frontier for other workers (a worker killed or cut off)"),
    Setting("frontier", "poll_interval", 2.0,
            "seconds between `diancang worker`'s looks for crawls to join, and between its "
            "heartbeats of figures into the catalogue"),
    Setting("warc", "max_size", 1_000 * MB,
            "bytes after which a WARC file is closed and the next begun"),
    Setting("warc", "gzip_level", 6,
            "zlib level of each record's gzip member"),
    Setting("index", "workers", 0,
            "processes extracting page text when indexing; 0 means one per CPU core"),
    Setting("index", "pdf_max_bytes", 20 * MB,
            "PDFs larger than this are catalogued without their text"),
    Setting("index", "max_decoded_bytes", 10 * MB,
            "bytes of a stored page decompressed (gzip, deflate, br) to extract its text; the "
            "rest is not read, and the capture is marked `text_truncated` (a decompression bomb "
            "costs no more)"),
    Setting("index", "mode", "inline",
            "who indexes a crawl's WARC files as they close: `inline`, the crawl itself (one "
            "machine); `queue`, `diancang indexer` processes on any machine, which take them "
            "from the catalogue's queue"),
    Setting("index", "lease", 60.0,
            "seconds without a heartbeat from a file's indexer after which it is taken for "
            "dead and the file is taken again by another"),
    Setting("index", "attempts", 3,
            "times a file is taken without its indexer finishing before it is marked failed"),
    Setting("index", "poll_interval", 5.0,
            "seconds `diancang indexer` waits when the queue is empty"),
    Setting("limits", "duration", 0.0,
            "seconds after which a crawl stops, when its seed list sets no `limits` (0: none)"),
    Setting("limits", "pages", 0,
            "responses after which a crawl stops, likewise"),
    Setting("limits", "bytes", 0,
            "WARC bytes after which a crawl stops, likewise"),
    Setting("scheduler", "timezone", "UTC",
            "time zone of schedules: `daily`/`weekly`/`monthly` run at 03:00 there (e.g. "
            "`Asia/Shanghai`)"),
    Setting("scheduler", "misfire_grace", 3600,
            "seconds a run missed while the daemon was down may still start late (once, however"
            " many were missed); older ones are recorded as missed"),
    Setting("scheduler", "poll_interval", 5.0,
            "seconds between the daemon's looks at the catalogue (crawl requests, schedule "
            "changes, dead crawls)"),
    Setting("scheduler", "lock_stale_after", 120.0,
            "seconds without a heartbeat after which a crawl lock's holder is taken for dead"),
    Setting("fixity", "interval", 30.0,
            "days between the scheduler daemon's fixity checks of each collection (`diancang "
            "verify`: SHA-256, gzip members, record digests); 0 turns them off"),
    Setting("replay", "host", "127.0.0.1",
            "interface of `diancang serve`"),
    Setting("replay", "port", 8080,
            "port of `diancang serve`"),
    Setting("replay", "public_url", "",
            "base URL of replay in `diancang search` links; empty: "
            "`http://replay.host:replay.port`"),
    Setting("replay", "workers", 0,
            "worker processes of `diancang serve` (gunicorn, gevent); 0 means one per core"),
    Setting("replay", "grant_seconds", 3600,
            "lifetime of a curator's grant to a private collection on the replay host (the "
            "link the web app signs, and the cookie replay keeps from it)"),
    Setting("replay", "access_refresh", 2.0,
            "seconds between replay's looks at the catalogue for visibility and access rules"),
    Setting("traps", "max_url_length", 2083,
            "longer URLs are not fetched (`url-too-long`; Internet Explorer's and Heritrix's "
            "limit)"),
    Setting("traps", "max_path_depth", 20,
            "URLs with more path segments are not fetched (`path-too-deep`)"),
    Setting("traps", "max_path_repeats", 3,
            "times one path segment may occur in a path (`path-repeats`: `/loop/a/a/a/a/`)"),
    Setting("traps", "max_query_variants", 1000,
            "distinct query strings of links followed per host and path (`query-variants`: "
            "calendars, faceted searches)"),
    Setting("traps", "max_outlinks", 6000,
            "links followed from one page, requisites not counted (`too-many-outlinks`, per "
            "dropped link)"),
    Setting("traps", "max_host_pages", 50000,
            "URLs fetched per host, requisites included, across all seeds (`host-budget`)"),
    Setting("traps", "soft404_repeats", 20,
            "identical page responses under one directory after which it is left (`soft-404`)"),
    Setting("web", "host", "127.0.0.1",
            "interface of `diancang web`; its host name must differ from replay's "
            "(`web.replay_url`), or an archived page's scripts could act as a logged-in curator"),
    Setting("web", "port", 8000,
            "port of `diancang web`"),
    Setting("web", "workers", 0,
            "worker processes of `diancang web` (gunicorn); 0 means one per core"),
    Setting("web", "login_limit", 10,
            "failed logins of one account, or from one address, after which logins are "
            "refused (429 with `Retry-After`) ..."),
    Setting("web", "login_window", 900.0, "... within this many seconds"),
    Setting("web", "proxies", 0,
            "reverse proxies in front of `diancang web` whose X-Forwarded-For/-Proto/-Host "
            "it believes (1 behind one nginx); 0 trusts none"),
    Setting("web", "public_url", "http://127.0.0.1:8000",
            "base URL of the web app as browsers reach it (replay's banner links back to it); "
            "https here makes the session cookie `Secure`"),
    Setting("web", "secret_key", "",
            "signs the web app's session cookies and CSRF tokens; empty means a key generated "
            "once into `HOME/web-secret.key` (mode 0600)"),
    Setting("web", "replay_url", "http://localhost:8080",
            "replay's base URL as browsers reach it (in development: replay at `localhost`, the"
            " app at `127.0.0.1`)"),
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
    if setting.choices and value not in setting.choices:
        raise ConfigError(f"{origin}: {setting.name}: expected one of "
                          f"{' | '.join(setting.choices)}, got {value!r}")
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

    def __init__(self, values: Mapping[str, Any], *, catalog_file: Path):
        self._values = dict(values)
        self.catalog_file = catalog_file

    def __getitem__(self, name: str) -> Any:
        declared(name)
        return self._values[name]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    @property
    def database_url(self) -> str:
        return self["database.url"] or f"sqlite:///{self.catalog_file}"

    @property
    def seed_defaults(self) -> dict[str, Any]:
        """What a seed list gets where it gives neither a seed value nor a list default."""
        return {"scope": self["crawl.scope"], "depth": self["crawl.depth"],
                "max_pages": self["crawl.max_pages"], "delay": self["crawl.delay"],
                "concurrency": self["crawl.host_concurrency"], "browser": self["crawl.browser"]}

    @property
    def index_mode(self) -> str:
        """``index.mode``, checked: ``inline`` or ``queue``."""
        mode = str(self["index.mode"]).strip().lower()
        if mode not in INDEX_MODES:
            raise ConfigError(f"index.mode: expected one of {', '.join(INDEX_MODES)}, "
                              f"got {self['index.mode']!r}")
        return mode

    def index_options(self) -> dict[str, Any]:
        """What indexing a collection takes from the ``index.*`` settings."""
        return {"workers": self["index.workers"], "pdf_max_bytes": self["index.pdf_max_bytes"],
                "max_decoded_bytes": self["index.max_decoded_bytes"],
                "lease": self["index.lease"]}

    def trap_limits(self) -> TrapLimits:
        """The ``traps.*`` settings as the crawler's plain limits."""
        return TrapLimits(**{f.name: self[f"traps.{f.name}"] for f in fields(TrapLimits)})

    @property
    def user_agent(self) -> str:
        from diancang import __version__

        return self["crawl.user_agent"] or f"Diancang/{__version__} (+{self['operator.contact']})"

    @classmethod
    def defaults(cls) -> Settings:
        """Every setting at its declared default (no file, no environment)."""
        from diancang.home import CATALOG_FILE  # the home's layout, which imports this module

        return cls({s.name: s.default for s in DECLARED}, catalog_file=Path(CATALOG_FILE))

    @classmethod
    def load(cls, toml_path: Path, *, catalog_file: Path,
             environ: Mapping[str, str] | None = None,
             overrides: Mapping[str, Any] | None = None) -> Settings:
        """Layered: the defaults < ``toml_path`` (if it exists) < ``environ`` < ``overrides``;
        ``catalog_file`` is the SQLite catalogue an empty ``database.url`` means."""
        environ = os.environ if environ is None else environ
        values = {s.name: s.default for s in DECLARED}
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
        return cls(values, catalog_file=catalog_file)


def shown(value: Any) -> str:
    """A default as README's settings table shows it."""
    if value == "":
        return "(empty)"
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def settings_table() -> str:
    """README's settings table, made from DECLARED (tests/diancang/test_settings_readme.py
    holds README to it)."""
    rows = [f"| `{s.name}` | {shown(s.default)} | {s.help} |" for s in DECLARED]
    return "\n".join(["| setting | default | meaning |", "|---|---|---|", *rows]) + "\n"


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
