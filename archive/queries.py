"""Read-side queries for the CLI and for analysts' scripts: plain dicts out, no ORM state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from archive import models
from archive.records import fold_case

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


def search(
    session: Session, text: str, *, limit: int = 20, site: str | None = None
) -> list[dict[str, Any]]:
    """Articles whose title, summary or body contain `text` (case-insensitive, diacritics exact)."""
    needle = fold_case(" ".join(text.split()))
    query = _article_select().where(
        or_(
            func.instr(func.wn_fold(models.Article.title), needle) > 0,
            func.instr(func.wn_fold(models.Article.summary), needle) > 0,
            func.instr(func.wn_fold(models.Article.body), needle) > 0,
        )
    )
    if site:
        query = query.where(models.Site.slug == site)
    query = query.order_by(
        models.Article.published_at.desc().nulls_last(), models.Article.id
    ).limit(limit)
    results = []
    for article, slug in session.execute(query):
        results.append(article_dict(article, slug) | {"snippet": snippet(article, needle)})
    return results


def snippet(article: models.Article, needle: str, width: int = 70) -> str:
    for text in (article.title, article.summary or "", article.body):
        position = fold_case(text).find(needle)
        if position >= 0:
            start = max(0, position - width)
            end = min(len(text), position + len(needle) + width)
            return (
                ("…" if start else "")
                + " ".join(text[start:end].split())
                + ("…" if end < len(text) else "")
            )
    return ""


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


def iter_articles(
    session: Session, *, site: str | None = None, with_images: bool = False, batch: int = 500
) -> Iterator[dict[str, Any]]:
    """Every article in id order, streamed in batches so memory stays flat."""
    last_id = 0
    while True:
        query = _article_select().where(models.Article.id > last_id)
        if site:
            query = query.where(models.Site.slug == site)
        rows = session.execute(query.order_by(models.Article.id).limit(batch)).all()
        if not rows:
            return
        images: dict[int, list[dict[str, str | None]]] = {}
        if with_images:
            ids = [article.id for article, _ in rows]
            for image in session.scalars(
                select(models.ArticleImage)
                .where(models.ArticleImage.article_id.in_(ids))
                .order_by(models.ArticleImage.article_id, models.ArticleImage.position)
            ):
                images.setdefault(image.article_id, []).append(
                    {"url": image.url, "caption": image.caption}
                )
        for article, slug in rows:
            row = article_dict(article, slug)
            if with_images:
                row["images"] = images.get(article.id, [])
            yield row
        session.expunge_all()
        last_id = rows[-1][0].id


def site_exists(session: Session, slug: str) -> bool:
    return session.scalar(select(models.Site.id).where(models.Site.slug == slug)) is not None
