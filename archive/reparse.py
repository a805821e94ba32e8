"""Offline re-parse: run today's extraction over the stored raw pages, with no network.

After the extractor improves (or a site's layout was learned), the archive catches up
without fetching anything: each article is extracted again from the page it was last
built from, updated through the same store_article as a crawl (a changed article keeps
its old state in article_versions), and pages recorded as "not an article" get another
chance. A page the new code cannot read leaves its article as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import models
from archive.db import Archive
from archive.records import iso, now_vn
from archive.store import learned_lines, load_raw, store_article
from pipelines.extract import EXTRACTOR_VERSION, ExtractionError, extract_page
from pipelines.sitelines import SiteLines
from spiders.platforms import GENERIC, profile

BATCH = 200  # articles per transaction: an interrupted re-parse keeps what it finished
COMPARED = {"title": "titles", "body": "bodies", "published_at": "dates", "author": "authors"}


@dataclass
class ReparseReport:
    articles: int = 0
    changed: int = 0
    fields: Counter[str] = field(default_factory=Counter)  # titles, bodies, dates, authors
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason), kept as were
    no_raw: int = 0
    recovered: int = 0  # pages once "not an article" that now are


def _hints(row: models.Article) -> dict[str, str]:
    """A date that came from the list page is not on the article page: hand it back."""
    if row.published_source == "list" and row.published_at:
        return {"list_date": row.published_at}
    return {}


def _article_batches(
    session: Session, site_id: int | None, since: date | None, after: int
) -> list[models.Article]:
    query = select(models.Article).where(models.Article.id > after)
    if site_id is not None:
        query = query.where(models.Article.site_id == site_id)
    if since is not None:
        bound = since.isoformat()
        query = query.where(
            (models.Article.published_at >= bound)
            | (models.Article.published_at.is_(None) & (models.Article.first_seen_at >= bound))
        )
    return list(session.scalars(query.order_by(models.Article.id).limit(BATCH)))


def _lines(session: Session, site: models.Site, cache: dict[int, SiteLines]) -> SiteLines:
    if site.id not in cache:
        cache[site.id] = SiteLines(known=learned_lines(session, [site.slug]).get(site.slug, set()))
    return cache[site.id]


def reparse(
    archive: Archive, *, site_id: int | None = None, since: date | None = None
) -> ReparseReport:
    report = ReparseReport()
    lines: dict[int, SiteLines] = {}
    last = 0
    while True:
        with archive.session() as session:
            rows = _article_batches(session, site_id, since, last)
            for row in rows:
                _reparse_article(session, row, report, lines)
        if not rows:
            break
        last = rows[-1].id
    with archive.session() as session:
        for failure in _failed_pages(session, site_id):
            _recover(session, failure, report, lines)
    return report


def _reparse_article(
    session: Session, row: models.Article, report: ReparseReport, lines: dict[int, SiteLines]
) -> None:
    report.articles += 1
    if row.raw_page_id is None:
        report.no_raw += 1
        return
    site = session.get_one(models.Site, row.site_id)
    raw = load_raw(session, row.raw_page_id)
    try:
        article, _ = extract_page(
            raw,
            profile(site.platform or GENERIC),
            hints=_hints(row),
            site_lines=_lines(session, site, lines),
        )
    except ExtractionError as exc:
        report.failed.append((row.url, str(exc)))
        return
    article.url = row.url  # the stored page may be a print copy of the same article
    before = {name: getattr(row, name) for name in COMPARED}
    store_article(session, row.site_id, article, row.raw_page_id, iso(now_vn()), fetched=False)
    changed = [label for name, label in COMPARED.items() if getattr(row, name) != before[name]]
    report.fields.update(changed)
    report.changed += bool(changed)


def _failed_pages(session: Session, site_id: int | None) -> Iterator[models.Failure]:
    """The newest "not an article" failure of each URL that never became an article."""
    newest = (
        select(models.Failure.url, models.Failure.id)
        .where(
            models.Failure.stage == "extract",
            models.Failure.raw_page_id.is_not(None),
            models.Failure.site_id.is_not(None),
            ~models.Failure.url.in_(select(models.Article.url)),
        )
        .order_by(models.Failure.url, models.Failure.id.desc())
    )
    if site_id is not None:
        newest = newest.where(models.Failure.site_id == site_id)
    seen: set[str] = set()
    for url, failure_id in session.execute(newest).all():
        if url not in seen:
            seen.add(url)
            yield session.get_one(models.Failure, failure_id)


def _recover(
    session: Session, failure: models.Failure, report: ReparseReport, lines: dict[int, SiteLines]
) -> None:
    assert failure.raw_page_id is not None and failure.site_id is not None
    site = session.get_one(models.Site, failure.site_id)
    raw = load_raw(session, failure.raw_page_id)
    if raw.status >= 400:
        return
    try:
        article, _ = extract_page(
            raw, profile(site.platform or GENERIC), site_lines=_lines(session, site, lines)
        )
    except ExtractionError:
        return  # still not an article: the failure row says so already
    article.url = failure.url
    store_article(session, site.id, article, failure.raw_page_id, iso(now_vn()))
    report.recovered += 1


def describe(report: ReparseReport) -> str:
    fields = ", ".join(f"{report.fields[label]} {label}" for label in COMPARED.values())
    text = (
        f"re-parsed {report.articles} articles with extractor {EXTRACTOR_VERSION}: "
        f"{report.changed} changed ({fields}); {len(report.failed)} could not be read"
        f" and were kept as they were; {report.recovered} pages once not an article now are"
    )
    if report.no_raw:
        text += f"; {report.no_raw} have no stored page"
    return text
