"""The catalogue's tables: collections, seeds, crawls, WARC files and captures.

Schema changes go through alembic (``catalog/migrations``); this module is the model the
migrations are written against.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# The 政府信息公开 fields a capture carries, in the order search shows them
GOV_FIELDS = ("index_no", "agency", "written_date", "published_date", "doc_no", "subject")


class Base(DeclarativeBase):
    pass


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16), default="site")
    description: Mapped[str | None] = mapped_column(Text)
    schedule: Mapped[str] = mapped_column(String(100), default="once")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # shown to researchers without a login (migration 0004); new collections start hidden
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Dublin Core description of the collection (migration 0002)
    creator: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(String(500))
    coverage_start: Mapped[date | None] = mapped_column(Date)
    coverage_end: Mapped[date | None] = mapped_column(Date)
    rights: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(35))
    # per-crawl limits from the seed list: {"duration": seconds, "pages": n, "bytes": n}
    limits: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    seeds: Mapped[list[Seed]] = relationship(back_populates="collection", order_by="Seed.position",
                                             cascade="all, delete-orphan")


class Seed(Base):
    __tablename__ = "seeds"
    __table_args__ = (UniqueConstraint("collection_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(String(500))
    agency: Mapped[str | None] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(16))
    depth: Mapped[int] = mapped_column(Integer)
    max_pages: Mapped[int] = mapped_column(Integer)
    delay: Mapped[float] = mapped_column(Float)
    concurrency: Mapped[int] = mapped_column(Integer)
    exclude: Mapped[list[str]] = mapped_column(JSON, default=list)
    robots: Mapped[str] = mapped_column(String(16), default="obey")
    browser: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")

    collection: Mapped[Collection] = relationship(back_populates="seeds")


class Crawl(Base):
    __tablename__ = "crawls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))      # running | finished | stopped | failed
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stop_reason: Mapped[str | None] = mapped_column(String(100))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    stop_requested: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    collection: Mapped[Collection] = relationship()


class WarcFile(Base):
    """A closed WARC or ARC file of a collection, with its fixity; its name is unique within
    the collection only (migration 0006): other tools name files alike."""

    __tablename__ = "warc_files"
    __table_args__ = (UniqueConstraint("collection_id", "filename",
                                       name="uq_warc_files_collection_filename"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    crawl_id: Mapped[int | None] = mapped_column(ForeignKey("crawls.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    records: Mapped[int] = mapped_column(Integer)
    closed: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    indexed: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the last fixity check (``diancang verify``, migration 0007): when, ok | failed | missing,
    # and what was found (one "offset N: reason" line per finding)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verify_outcome: Mapped[str | None] = mapped_column(String(16))
    verify_detail: Mapped[str | None] = mapped_column(Text)
    # the last deep check that found nothing (migration 0013): the SHA-256 of the bytes it read
    # and when; while the file still hashes to it, its structure is the one proven
    deep_sha256: Mapped[str | None] = mapped_column(String(64))
    deep_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Capture(Base):
    """One archived response (or revisit), located in its WARC file."""

    __tablename__ = "captures"
    __table_args__ = (
        UniqueConstraint("warc_file_id", "offset"),
        Index("ix_captures_surt_ts", "surt", "timestamp"),
        Index("ix_captures_host", "host"),
        Index("ix_captures_timestamp", "timestamp"),
        Index("ix_captures_agency", "agency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"),
                                               index=True)
    warc_file_id: Mapped[int] = mapped_column(ForeignKey("warc_files.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    surt: Mapped[str] = mapped_column(Text)
    timestamp: Mapped[str] = mapped_column(String(17))    # 14-digit WARC date, as pywb uses
    status: Mapped[int | None] = mapped_column(Integer)
    mime: Mapped[str | None] = mapped_column(String(255))
    digest: Mapped[str | None] = mapped_column(String(64))
    offset: Mapped[int] = mapped_column(BigInteger)
    length: Mapped[int] = mapped_column(BigInteger)
    record_type: Mapped[str] = mapped_column(String(16), default="response")
    # described by the indexer (migration 0002): where it came from ...
    host: Mapped[str | None] = mapped_column(String(255))
    crawl_id: Mapped[int | None] = mapped_column(ForeignKey("crawls.id", ondelete="SET NULL"))
    seed_id: Mapped[int | None] = mapped_column(ForeignKey("seeds.id", ondelete="SET NULL"))
    revisit_of: Mapped[str | None] = mapped_column(String(17))  # timestamp of the original
    # ... what it says (HTML: visible text, main text first; PDF: its text; and metadata) ...
    charset: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(35))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    outlinks: Mapped[int | None] = mapped_column(Integer)
    # its text was read from only the first index.max_decoded_bytes of its payload (0007)
    text_truncated: Mapped[bool | None] = mapped_column(Boolean)
    author: Mapped[str | None] = mapped_column(Text)
    sitename: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    page_date: Mapped[str | None] = mapped_column(String(10))     # YYYY-MM-DD
    # ... and its government open-information metadata (政府信息公开), when it has a table
    index_no: Mapped[str | None] = mapped_column(String(255))     # 索引号
    agency: Mapped[str | None] = mapped_column(String(500))       # 发布机构 / 发文机关
    written_date: Mapped[str | None] = mapped_column(String(10))  # 成文日期, YYYY-MM-DD
    published_date: Mapped[str | None] = mapped_column(String(10))  # 发布日期, YYYY-MM-DD
    doc_no: Mapped[str | None] = mapped_column(String(255))       # 文号 / 发文字号
    subject: Mapped[str | None] = mapped_column(String(255))      # 主题分类


class LatestCapture(Base):
    """Each URL's latest capture in a collection, reduced to what deduplication needs
    (``catalog.digests``, migration 0005): kept up to date as each WARC file is indexed, so a
    crawl's start reads one row per URL, not every capture of the collection's history."""

    __tablename__ = "latest_captures"

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"),
                                               primary_key=True)
    url_key: Mapped[str] = mapped_column(String(40), primary_key=True)  # SHA-1 hex of the URL
    url: Mapped[str] = mapped_column(Text)
    seen: Mapped[str] = mapped_column(String(17))       # timestamp of its latest capture
    # the response an unchanged payload would refer to (None: store the next one whole)
    digest: Mapped[str | None] = mapped_column(String(64))
    original: Mapped[str | None] = mapped_column(String(17))   # that response's timestamp
    # that response's validators and place, for a conditional request and for reading its
    # page back when the server answers 304 Not Modified (migration 0013)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))
    original_file_id: Mapped[int | None] = mapped_column(Integer)      # warc_files.id
    original_offset: Mapped[int | None] = mapped_column(BigInteger)


# ---- periodic crawling: schedules, crawl requests, the crawl lock ------------------------


class Schedule(Base):
    """When a collection is crawled: the seed list's ``schedule``, managed by ``diancang
    schedule`` (and the web app); the daemon mirrors it into APScheduler's job store."""

    __tablename__ = "schedules"

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"),
                                               primary_key=True)
    spec: Mapped[str] = mapped_column(String(100))       # daily | ... | cron <5 fields>
    start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CrawlRequest(Base):
    """A crawl asked for (by the web app, the CLI or the scheduler), started by the daemon."""

    __tablename__ = "crawl_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    # None (SQL NULL, not JSON 'null'): the whole seed list
    urls: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    requested_by: Mapped[str | None] = mapped_column(String(255))
    requested: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))       # queued | started | done | failed
    crawl_id: Mapped[int | None] = mapped_column(ForeignKey("crawls.id", ondelete="SET NULL"))
    started: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message: Mapped[str | None] = mapped_column(Text)


class Held:
    """Columns of a row that is a lock: its holder (pid on host) and the holder's heartbeat."""

    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    acquired: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CrawlLock(Held, Base):
    """At most one crawl per collection: the row is the lock, its holder's heartbeat keeps it."""

    __tablename__ = "crawl_locks"

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"),
                                               primary_key=True)
    crawl_id: Mapped[int | None] = mapped_column(ForeignKey("crawls.id", ondelete="SET NULL"))


class Lease(Held, Base):
    """A role at most one live process holds (migration 0006): the scheduler daemon that fires
    schedules.  Held, renewed and taken over from dead holders as ``CrawlLock`` is."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)


class User(Base):
    """A curator or administrator of the web app (migration 0004); passwords only hashed."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))          # admin | curator
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # a session carries the version it began under; logout and a new password advance it,
    # ending every session of the account on the server (migration 0008_accounts)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginFailure(Base):
    """A failed login, counted per account and per address to throttle guessing (0006)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key", "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))          # account | address
    key: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AccessRule(Base):
    """Who may see which captures (``catalog.access``, migration 0009): a takedown
    (``exclude``) or an ``allow`` inside one, by SURT prefix and optionally capture dates, or
    a collection's ``embargo`` of its captures younger than ``days``.  Replay's ``.aclj``
    files are generated from these rows, never written by hand."""

    __tablename__ = "access_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"),
                                               index=True)
    kind: Mapped[str] = mapped_column(String(16))       # exclude | embargo | allow
    url: Mapped[str | None] = mapped_column(Text)       # as the curator gave it
    surt: Mapped[str | None] = mapped_column(Text)      # the SURT prefix it applies to
    date_from: Mapped[date | None] = mapped_column(Date)   # captures made on or after
    date_to: Mapped[date | None] = mapped_column(Date)     # captures made on or before
    days: Mapped[int | None] = mapped_column(Integer)      # an embargo's length
    reason: Mapped[str | None] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(255))       # the OS user or web user
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserCollection(Base):
    """A collection a curator may work on (migration 0009).  A curator with none listed works
    on every collection; administrators always do (``catalog.users.allowed_collections``)."""

    __tablename__ = "user_collections"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"),
                                               primary_key=True)


class IndexQueueEntry(Base):
    """A closed WARC file waiting to be indexed, being indexed, or done with (migration 0013):
    the queue ``diancang indexer`` processes (and a crawl, in the embedded default) take files
    from with a lease (``catalog.index_queue``).  ``attempts`` counts the takes, so a take is
    named by its file and attempt, and a file whose indexers keep dying is given up on."""

    __tablename__ = "index_queue"
    __table_args__ = (Index("ix_index_queue_status", "status", "warc_file_id"),)

    warc_file_id: Mapped[int] = mapped_column(ForeignKey("warc_files.id", ondelete="CASCADE"),
                                              primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))       # queued | taken | done | failed
    queued: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    holder: Mapped[str | None] = mapped_column(String(255))   # the indexer that took it last
    heartbeat: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)       # why it failed


class CrawlWorker(Base):
    """One worker of a distributed crawl (migration 0013): who it is, where it runs, and its
    figures, heartbeat by the worker while it crawls, so that the crawl shows as one with a
    rate per worker (``catalog.workers``)."""

    __tablename__ = "crawl_workers"

    crawl_id: Mapped[int] = mapped_column(ForeignKey("crawls.id", ondelete="CASCADE"),
                                          primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))     # running | finished | stopped | failed
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    rate: Mapped[float] = mapped_column(Float, default=0.0)        # pages/s over its run
    in_flight: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
