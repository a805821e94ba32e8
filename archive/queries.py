"""Read-side queries for the CLI and for analysts' scripts: plain dicts out, no ORM state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from archive import models

# The fields of one article as `show` prints them (exports: archive/export.py).
EXPORT_COLUMNS = (
    "id",
    "site",
    "url",
    "title",
    "summary",
    "body",
    "author",
    "source",
    "published_at",
    "published_precision",
    "published_source",
    "updated_at",
    "first_seen_at",
    "last_seen_at",
    "content_hash",
    "duplicate_of",
    "extractor_version",
)


def archive_stats(session: Session) -> dict[str, Any]:
    def count(model: type[models.Base], *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    last_run = session.scalars(
        select(models.CrawlRun).order_by(models.CrawlRun.id.desc()).limit(1)
    ).first()
    per_site = session.execute(
        select(
            models.Site.slug,
            models.Site.name,
            models.Site.platform,
            models.Site.unit_name,
            models.Site.unit_level,
            models.Site.province,
            func.count(models.Article.id).label("articles"),
            func.count(models.Article.duplicate_of).label("duplicates"),
            func.min(models.Article.published_at).label("first_published"),
            func.max(models.Article.published_at).label("last_published"),
        )
        .outerjoin(models.Article, models.Article.site_id == models.Site.id)
        .group_by(models.Site.id)
        .order_by(models.Site.slug)
    ).mappings()
    failures = dict(
        session.execute(
            select(models.Site.slug, func.count(models.Failure.id))
            .join(models.Failure, models.Failure.site_id == models.Site.id)
            .group_by(models.Site.slug)
        ).all()
    )
    return {
        "articles": count(models.Article),
        "duplicates": count(models.Article, models.Article.duplicate_of.is_not(None)),
        "stories": session.scalar(select(func.count(func.distinct(models.Article.cluster_id)))),
        "sites": count(models.Site),
        "images": count(models.ArticleImage),
        "versions": count(models.ArticleVersion),
        "raw_pages": count(models.RawPage),
        "failures": count(models.Failure),
        "runs": count(models.CrawlRun),
        "last_run": _run_dict(last_run) if last_run else None,
        "by_site": [dict(row) | {"failures": failures.get(row["slug"], 0)} for row in per_site],
    }


def _run_dict(run: models.CrawlRun) -> dict[str, Any]:
    names = ("id", "started_at", "finished_at", "status", "pages_fetched", "articles_new")
    names += ("articles_updated", "articles_unchanged", "errors")
    return {name: getattr(run, name) for name in names}


def _article_select() -> Select[Any]:
    return select(models.Article, models.Site.slug).join(
        models.Site, models.Site.id == models.Article.site_id
    )


def article_dict(article: models.Article, site: str) -> dict[str, Any]:
    row = {name: getattr(article, name) for name in EXPORT_COLUMNS if name != "site"}
    return {"site": site, **row}


def find_article(session: Session, key: str) -> dict[str, Any] | None:
    """One article by id or URL, with its images and how many older versions it has."""
    query = _article_select()
    query = (
        query.where(models.Article.id == int(key))
        if key.isdigit()
        else query.where(models.Article.url == key)
    )
    found = session.execute(query).first()
    if found is None:
        return None
    article, slug = found
    images = session.scalars(
        select(models.ArticleImage)
        .where(models.ArticleImage.article_id == article.id)
        .order_by(models.ArticleImage.position)
    )
    versions = session.scalar(
        select(func.count())
        .select_from(models.ArticleVersion)
        .where(models.ArticleVersion.article_id == article.id)
    )
    return article_dict(article, slug) | {
        "images": [{"url": image.url, "caption": image.caption} for image in images],
        "versions": versions or 0,
    }


def site_exists(session: Session, slug: str) -> bool:
    return session.scalar(select(models.Site.id).where(models.Site.slug == slug)) is not None
