"""Idempotent writes to the archive.

Every function here runs inside the caller's transaction (`Archive.session()`),
so a page's raw response, its article, images and version history land
together or not at all. Writing the same thing twice changes nothing but the
"last seen" times.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from archive import clusters, models
from archive.records import Article, RawPage, SiteInfo, content_hash

Outcome = Literal["new", "updated", "unchanged"]
RAW_COMPRESSION_LEVEL = 6
GONE_STATUSES = (404, 410)
# Fields whose change makes a re-crawled article "updated" (and keeps a version).
COMPARED_FIELDS = (
    "title",
    "summary",
    "body",
    "author",
    "source",
    "published_at",
    "published_precision",
    "published_source",
    "updated_at",
)


@dataclass(frozen=True)
class StoredArticle:
    article_id: int
    outcome: Outcome
    duplicate_of: int | None


def upsert_site(session: Session, info: SiteInfo, now: str) -> int:
    """Insert or refresh a site row by slug; returns its id.

    A detected platform never overwrites a known one with None.
    """
    row = session.scalars(select(models.Site).where(models.Site.slug == info.slug)).one_or_none()
    if row is None:
        row = models.Site(
            slug=info.slug,
            name=info.name,
            base_url=info.base_url,
            platform=info.platform,
            unit_name=info.unit_name,
            unit_level=info.unit_level,
            province=info.province,
            in_registry=info.in_registry,
            added_at=now,
        )
        session.add(row)
        session.flush()
        return row.id
    row.name = info.name
    row.base_url = info.base_url
    row.in_registry = info.in_registry or row.in_registry
    for name in ("platform", "unit_name", "unit_level", "province"):
        value = getattr(info, name)
        if value is not None:
            setattr(row, name, value)
    return row.id


def store_raw(session: Session, raw: RawPage, run_id: int | None) -> int:
    """Keep a fetched response; the same bytes from the same URL are stored once."""
    digest = raw.sha256
    existing = session.scalar(
        select(models.RawPage.id).where(
            models.RawPage.url == raw.url, models.RawPage.sha256 == digest
        )
    )
    if existing is not None:
        session.execute(
            update(models.RawPage)
            .where(models.RawPage.id == existing)
            .values(last_fetched_at=raw.fetched_at)
        )
        return existing
    row = models.RawPage(
        url=raw.url,
        final_url=raw.final_url,
        status=raw.status,
        headers_json=json.dumps(raw.headers, ensure_ascii=False, sort_keys=True),
        body_zlib=zlib.compress(raw.body, RAW_COMPRESSION_LEVEL),
        size=len(raw.body),
        sha256=digest,
        first_fetched_at=raw.fetched_at,
        last_fetched_at=raw.fetched_at,
        run_id=run_id,
    )
    session.add(row)
    session.flush()
    return row.id


def load_raw(session: Session, raw_id: int) -> RawPage:
    """A stored response, decompressed, as the crawler first saw it."""
    row = session.get_one(models.RawPage, raw_id)
    return RawPage(
        url=row.url,
        final_url=row.final_url,
        status=row.status,
        headers=json.loads(row.headers_json),
        body=zlib.decompress(row.body_zlib),
        fetched_at=row.last_fetched_at,
    )


def _images_json(images: list[models.ArticleImage]) -> str:
    ordered = sorted(images, key=lambda image: image.position)
    return json.dumps(
        [{"url": image.url, "caption": image.caption} for image in ordered], ensure_ascii=False
    )


def _article_images(session: Session, article_id: int) -> list[models.ArticleImage]:
    return list(
        session.scalars(
            select(models.ArticleImage)
            .where(models.ArticleImage.article_id == article_id)
            .order_by(models.ArticleImage.position)
        )
    )


def _write_images(session: Session, article_id: int, article: Article) -> None:
    session.execute(delete(models.ArticleImage).where(models.ArticleImage.article_id == article_id))
    session.add_all(
        models.ArticleImage(article_id=article_id, position=i, url=image.url, caption=image.caption)
        for i, image in enumerate(article.images)
    )


def store_article(
    session: Session,
    site_id: int,
    article: Article,
    raw_id: int | None,
    now: str,
    *,
    fetched: bool = True,
) -> StoredArticle:
    """Insert a new article, or update a known one keeping its old state as a version.

    `fetched=False` is a re-parse of a stored page: the article was not seen again, so
    last_seen_at, fetched_at and its raw page stay as they were."""
    digest = article.content_hash
    fields = {name: getattr(article, name) for name in COMPARED_FIELDS}
    row = session.scalars(
        select(models.Article).where(models.Article.url == article.url)
    ).one_or_none()
    if row is None:
        row = models.Article(
            site_id=site_id,
            url=article.url,
            **fields,
            first_seen_at=now,
            last_seen_at=now,
            fetched_at=now,
            content_hash=digest,
            extractor_version=article.extractor_version,
            raw_page_id=raw_id,
        )
        session.add(row)
        session.flush()
        _write_images(session, row.id, article)
        duplicate_of = clusters.place(session, row.id)
        return StoredArticle(row.id, "new", duplicate_of)

    old_images = _article_images(session, row.id)
    new_images_json = json.dumps([asdict(image) for image in article.images], ensure_ascii=False)
    changed = any(getattr(row, name) != value for name, value in fields.items())
    changed = changed or _images_json(old_images) != new_images_json
    if changed:
        session.add(
            models.ArticleVersion(
                article_id=row.id,
                title=row.title,
                summary=row.summary,
                body=row.body,
                author=row.author,
                source=row.source,
                published_at=row.published_at,
                updated_at=row.updated_at,
                images_json=_images_json(old_images),
                content_hash=row.content_hash,
                extractor_version=row.extractor_version,
                fetched_at=row.fetched_at,
                replaced_at=now,
                raw_page_id=row.raw_page_id,
            )
        )
        old_body, old_published = row.body, row.published_at
        for name, value in fields.items():
            setattr(row, name, value)
        if digest != row.content_hash or old_published != row.published_at:
            row.content_hash = digest
            session.flush()
            clusters.place(session, row.id, old_body=old_body)
            session.refresh(row)
        _write_images(session, row.id, article)
    row.site_id = site_id
    row.extractor_version = article.extractor_version
    if fetched:
        row.last_seen_at = now
        row.fetched_at = now
        if raw_id is not None:
            row.raw_page_id = raw_id
    return StoredArticle(row.id, "updated" if changed else "unchanged", row.duplicate_of)


def store_aliases(
    session: Session, article_id: int, aliases: list[str], url: str, now: str
) -> None:
    """Remember other URLs that led to the article, so they count as known next time."""
    for alias in dict.fromkeys(aliases):
        if alias != url and session.get(models.UrlAlias, alias) is None:
            session.add(models.UrlAlias(alias=alias, article_id=article_id, first_seen_at=now))


def article_id_for(session: Session, url: str) -> int | None:
    return session.scalar(select(models.Article.id).where(models.Article.url == url))


def known_urls(session: Session, site_slugs: list[str]) -> set[str]:
    """What an incremental crawl need not fetch again for these sites.

    The articles' canonical URLs and their aliases, and links that answered
    404 or 410 (a dead link stays dead; `full=1` tries them again).
    """
    site_ids = select(models.Site.id).where(models.Site.slug.in_(site_slugs))
    urls = set(
        session.scalars(select(models.Article.url).where(models.Article.site_id.in_(site_ids)))
    )
    urls.update(
        session.scalars(
            select(models.UrlAlias.alias)
            .join(models.Article, models.Article.id == models.UrlAlias.article_id)
            .where(models.Article.site_id.in_(site_ids))
        )
    )
    urls.update(
        session.scalars(
            select(models.Failure.url).where(
                models.Failure.site_id.in_(site_ids),
                models.Failure.stage == "fetch",
                models.Failure.http_status.in_(GONE_STATUSES),
            )
        )
    )
    return urls


def site_platforms(session: Session, site_slugs: list[str]) -> dict[str, str]:
    """The platform family each of these sites was last crawled as (generic ones left out)."""
    rows = session.execute(
        select(models.Site.slug, models.Site.platform).where(
            models.Site.slug.in_(site_slugs),
            models.Site.platform.is_not(None),
            models.Site.platform != "generic",
        )
    )
    return dict(rows.tuples().all())


def learned_lines(session: Session, site_slugs: list[str]) -> dict[str, set[str]]:
    """The boilerplate lines (folded keys) earlier runs learned for these sites."""
    rows = session.execute(
        select(models.Site.slug, models.SiteBoilerplate.line_key)
        .join(models.SiteBoilerplate, models.SiteBoilerplate.site_id == models.Site.id)
        .where(models.Site.slug.in_(site_slugs))
    )
    found: dict[str, set[str]] = {}
    for slug, key in rows:
        found.setdefault(slug, set()).add(key)
    return found


def save_learned(
    session: Session, site_id: int, lines: list[tuple[str, str, int]], pages_seen: int, now: str
) -> None:
    """Record (key, text, pages) lines learned as the site's boilerplate; refresh known ones."""
    for key, text, pages in lines:
        row = session.get(models.SiteBoilerplate, (site_id, key))
        if row is None:
            session.add(
                models.SiteBoilerplate(
                    site_id=site_id,
                    line_key=key,
                    text=text,
                    pages=pages,
                    pages_seen=pages_seen,
                    learned_at=now,
                    last_seen_at=now,
                )
            )
        else:
            row.pages, row.pages_seen, row.last_seen_at = pages, pages_seen, now


def site_id_for(session: Session, slug: str) -> int | None:
    return session.scalar(select(models.Site.id).where(models.Site.slug == slug))


def strip_lines(session: Session, article_id: int, is_boilerplate: Callable[[str], bool]) -> bool:
    """Drop boilerplate paragraphs learned after the article was stored; True if it changed."""
    row = session.get_one(models.Article, article_id)
    paragraphs = row.body.split("\n\n")
    kept = [p for p in paragraphs if not is_boilerplate(p)]
    if len(kept) == len(paragraphs) or not kept:
        return False
    old_body = row.body
    row.body = "\n\n".join(kept)
    row.content_hash = content_hash(row.title, row.body)
    session.flush()
    clusters.place(session, article_id, old_body=old_body)
    return True


def record_failure(
    session: Session,
    *,
    url: str,
    stage: str,
    reason: str,
    now: str,
    run_id: int | None = None,
    site_id: int | None = None,
    http_status: int | None = None,
    raw_id: int | None = None,
) -> int:
    row = models.Failure(
        run_id=run_id,
        site_id=site_id,
        url=url,
        stage=stage,
        reason=reason,
        http_status=http_status,
        raw_page_id=raw_id,
        occurred_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def article_ids_after(session: Session, last: int, limit: int) -> list[int]:
    """Article ids above `last`, in order: batches for a resumable walk over the archive."""
    return list(
        session.scalars(
            select(models.Article.id)
            .where(models.Article.id > last)
            .order_by(models.Article.id)
            .limit(limit)
        )
    )


def article_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(models.Article)) or 0
