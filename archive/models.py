"""SQLAlchemy models of the archive: the schema analysts query (docs/schema.md).

Timestamps are ISO 8601 text with their offset (+07:00), so they sort as text
and read the same in any SQLite tool. The schema only changes through an
Alembic migration in archive/migrations/versions.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Timestamp = Annotated[str, mapped_column(String(32))]
OptionalTimestamp = Annotated[str | None, mapped_column(String(32))]
Counter = Annotated[int, mapped_column(Integer, default=0, server_default="0")]
IntPK = Annotated[int, mapped_column(Integer, primary_key=True)]

RUN_STATUSES = ("running", "ok", "failed", "interrupted", "killed")
FAILURE_STAGES = ("fetch", "extract", "store")


class Base(DeclarativeBase):
    pass


class Site(Base):
    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint(
            "unit_level IN ('ward', 'commune', 'district', 'province')", name="ck_sites_unit_level"
        ),
    )

    id: Mapped[IntPK]
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(Text)
    base_url: Mapped[str] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(50))
    unit_name: Mapped[str | None] = mapped_column(Text)
    unit_level: Mapped[str | None] = mapped_column(String(20))
    province: Mapped[str | None] = mapped_column(Text)
    in_registry: Mapped[bool] = mapped_column(default=True, server_default="1")
    added_at: Mapped[Timestamp]
    # Official tags (archive/units.py), set whenever the unit fields are written.
    unit_code: Mapped[str | None] = mapped_column(String(10))
    unit_status: Mapped[str | None] = mapped_column(String(10))
    current_unit_code: Mapped[str | None] = mapped_column(String(10))
    current_unit_name: Mapped[str | None] = mapped_column(Text)
    current_unit_level: Mapped[str | None] = mapped_column(String(20))
    current_province_code: Mapped[str | None] = mapped_column(String(10))
    current_province: Mapped[str | None] = mapped_column(Text)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_site_published", "site_id", "published_at"),
        Index("ix_articles_published_at", "published_at"),
        Index("ix_articles_content_hash", "content_hash"),
        Index("ix_articles_duplicate_of", "duplicate_of"),
        Index("ix_articles_cluster", "cluster_id"),
    )

    id: Mapped[IntPK]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[OptionalTimestamp]
    published_precision: Mapped[str | None] = mapped_column(String(10))
    published_source: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[OptionalTimestamp]
    first_seen_at: Mapped[Timestamp]
    last_seen_at: Mapped[Timestamp]
    fetched_at: Mapped[Timestamp]
    content_hash: Mapped[str] = mapped_column(String(64))
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    # The story: every copy of it (same text, or a near-duplicate) shares the id of the
    # copy first stored. Never NULL once written; an article alone is its own cluster.
    cluster_id: Mapped[int | None] = mapped_column(Integer)
    extractor_version: Mapped[str] = mapped_column(String(40))
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id"))


class ArticleImage(Base):
    __tablename__ = "article_images"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    caption: Mapped[str | None] = mapped_column(Text)


class ArticleVersion(Base):
    """An earlier state of an article, kept when a re-crawl finds it changed."""

    __tablename__ = "article_versions"
    __table_args__ = (Index("ix_article_versions_article", "article_id"),)

    id: Mapped[IntPK]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[OptionalTimestamp]
    updated_at: Mapped[OptionalTimestamp]
    images_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    content_hash: Mapped[str] = mapped_column(String(64))
    extractor_version: Mapped[str] = mapped_column(String(40))
    fetched_at: Mapped[Timestamp]
    replaced_at: Mapped[Timestamp]
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id"))


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'ok', 'failed', 'interrupted', 'killed')",
            name="ck_crawl_runs_status",
        ),
    )

    id: Mapped[IntPK]
    started_at: Mapped[Timestamp]
    finished_at: Mapped[OptionalTimestamp]
    status: Mapped[str] = mapped_column(String(12), default="running")
    pages_fetched: Mapped[Counter]
    articles_new: Mapped[Counter]
    articles_updated: Mapped[Counter]
    articles_unchanged: Mapped[Counter]
    errors: Mapped[Counter]
    args: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    finish_reason: Mapped[str | None] = mapped_column(Text)
    pid: Mapped[int | None] = mapped_column(Integer)
    extractor_version: Mapped[str] = mapped_column(String(40), default="", server_default="")


class CrawlRunSite(Base):
    """One site's figures in one run; `ok` means its lists were walked to the end."""

    __tablename__ = "crawl_run_sites"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'ok', 'failed', 'interrupted', 'killed')",
            name="ck_crawl_run_sites_status",
        ),
        Index("ix_crawl_run_sites_site", "site_id", "run_id"),
    )

    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="running", server_default="running")
    pages_fetched: Mapped[Counter]
    articles_new: Mapped[Counter]
    articles_updated: Mapped[Counter]
    articles_unchanged: Mapped[Counter]
    articles_empty: Mapped[Counter]
    articles_undated: Mapped[Counter]
    errors: Mapped[Counter]
    links_found: Mapped[Counter]
    finished_at: Mapped[OptionalTimestamp]


class RawPage(Base):
    """A fetched response body, zlib-compressed, kept for offline re-extraction."""

    __tablename__ = "raw_pages"
    __table_args__ = (
        UniqueConstraint("url", "sha256", name="uq_raw_pages_url_sha256"),
        Index("ix_raw_pages_url", "url"),
    )

    id: Mapped[IntPK]
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    headers_json: Mapped[str] = mapped_column(Text)
    body_zlib: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    first_fetched_at: Mapped[Timestamp]
    last_fetched_at: Mapped[Timestamp]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class Failure(Base):
    """A page the crawl could not fetch or could not turn into an article, with why."""

    __tablename__ = "failures"
    __table_args__ = (
        CheckConstraint("stage IN ('fetch', 'extract', 'store')", name="ck_failures_stage"),
        Index("ix_failures_run", "run_id"),
        Index("ix_failures_url", "url"),
    )

    id: Mapped[IntPK]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id"))
    occurred_at: Mapped[Timestamp]


class UrlAlias(Base):
    """Another URL that led to an article (a redirecting shortlink): known, not fetched again."""

    __tablename__ = "url_aliases"
    __table_args__ = (Index("ix_url_aliases_article", "article_id"),)

    alias: Mapped[str] = mapped_column(Text, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    first_seen_at: Mapped[Timestamp]


class SiteBoilerplate(Base):
    """A line learned to be the site's own boilerplate: it stands on most of its pages."""

    __tablename__ = "site_boilerplate"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    line_key: Mapped[str] = mapped_column(Text, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer)
    pages_seen: Mapped[int] = mapped_column(Integer)
    learned_at: Mapped[Timestamp]
    last_seen_at: Mapped[Timestamp]


class LshKey(Base):
    """The near-duplicate index: one row per LSH band of an article's body (archive/neardup.py).

    Articles sharing a key are candidate copies; looking one up is an index seek per band,
    whatever the archive's size.
    """

    __tablename__ = "lsh_keys"
    __table_args__: ClassVar[dict[str, bool]] = {"sqlite_with_rowid": False}

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id"), primary_key=True, autoincrement=False
    )


@event.listens_for(Site, "before_insert")
@event.listens_for(Site, "before_update")
def _tag_unit(_mapper: object, _connection: object, site: Site) -> None:
    """Every writer of sites tags them, whichever code path stores the row."""
    from archive import units  # the official lists load on the first site written

    tag = units.tag(site.unit_name, site.unit_level, site.province, units.load())
    for name in units.TAG_FIELDS:
        setattr(site, name, getattr(tag, name) if tag else None)
