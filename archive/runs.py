"""Crawl runs in the archive: opening and closing them, per-site figures, runs found dead.

A run that was killed leaves `crawl_runs.status = 'running'` behind; the next run (which
holds the lock, so nothing else is running) marks it `killed`. A site counts as walked to
the end only after a run whose crawl_run_sites row says `ok`.
"""

from __future__ import annotations

import json
import os
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archive import models


def _alive(pid: int | None) -> bool:
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def mark_dead_runs(session: Session) -> list[int]:
    """Runs still marked running whose process is gone become `killed`; returns their ids."""
    dead = [
        run.id
        for run in session.scalars(
            select(models.CrawlRun).where(models.CrawlRun.status == "running")
        )
        if not _alive(run.pid)
    ]
    if dead:
        session.execute(
            update(models.CrawlRun).where(models.CrawlRun.id.in_(dead)).values(status="killed")
        )
        session.execute(
            update(models.CrawlRunSite)
            .where(models.CrawlRunSite.run_id.in_(dead), models.CrawlRunSite.status == "running")
            .values(status="killed")
        )
    return dead


def start_run(session: Session, *, args: dict[str, str], pid: int, extractor: str, now: str) -> int:
    row = models.CrawlRun(
        started_at=now,
        status="running",
        args=json.dumps(args, ensure_ascii=False, sort_keys=True),
        pid=pid,
        extractor_version=extractor,
    )
    session.add(row)
    session.flush()
    return row.id


def start_site(session: Session, run_id: int, site_id: int) -> None:
    session.add(models.CrawlRunSite(run_id=run_id, site_id=site_id, status="running"))


def finish_site(
    session: Session, run_id: int, site_id: int, *, status: str, figures: dict[str, int], now: str
) -> None:
    session.execute(
        update(models.CrawlRunSite)
        .where(models.CrawlRunSite.run_id == run_id, models.CrawlRunSite.site_id == site_id)
        .values(status=status, finished_at=now, **figures)
    )


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    counts: dict[str, int],
    reason: str | None,
    now: str,
) -> None:
    """Close a run with its final figures; counts are keyed by crawl_runs column names."""
    session.execute(
        update(models.CrawlRun)
        .where(models.CrawlRun.id == run_id)
        .values(status=status, finished_at=now, finish_reason=reason, **counts)
    )


def _latest_site_rows(session: Session, site_ids: Any) -> dict[int, models.CrawlRunSite]:
    latest = (
        select(models.CrawlRunSite.site_id, func.max(models.CrawlRunSite.run_id).label("run_id"))
        .where(models.CrawlRunSite.site_id.in_(site_ids))
        .group_by(models.CrawlRunSite.site_id)
        .subquery()
    )
    rows = session.scalars(
        select(models.CrawlRunSite).join(
            latest,
            (models.CrawlRunSite.site_id == latest.c.site_id)
            & (models.CrawlRunSite.run_id == latest.c.run_id),
        )
    )
    return {row.site_id: row for row in rows}


def completed_sites(session: Session, slugs: list[str]) -> set[str]:
    """Sites whose last run walked everything: their lists can be paged incrementally.

    A site with articles but no per-site rows was crawled before crawl_run_sites existed
    (migration 0006); it is trusted. A site never crawled is not complete.
    """
    sites = dict(
        session.execute(
            select(models.Site.id, models.Site.slug).where(models.Site.slug.in_(slugs))
        ).all()
    )
    latest = _latest_site_rows(session, list(sites))
    with_articles = set(
        session.scalars(
            select(models.Article.site_id).where(models.Article.site_id.in_(list(sites))).distinct()
        )
    )
    return {
        slug
        for site_id, slug in sites.items()
        if (site_id in latest and latest[site_id].status == "ok")
        or (site_id not in latest and site_id in with_articles)
    }


def last_ok_start(session: Session, site_id: int) -> str | None:
    """When the site's last complete run started (None if it never had one)."""
    return session.scalar(
        select(func.max(models.CrawlRun.started_at))
        .join(models.CrawlRunSite, models.CrawlRunSite.run_id == models.CrawlRun.id)
        .where(models.CrawlRunSite.site_id == site_id, models.CrawlRunSite.status == "ok")
    )


def articles_first_seen_since(session: Session, site_id: int, since: str | None) -> list[int]:
    query = select(models.Article.id).where(models.Article.site_id == site_id)
    if since is not None:
        query = query.where(models.Article.first_seen_at >= since)
    return list(session.scalars(query.order_by(models.Article.id)))


def run_report(session: Session, run_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A run and its sites' figures, for the summary a crawl ends with."""
    run = session.get_one(models.CrawlRun, run_id)
    columns = [c.name for c in models.CrawlRun.__table__.columns]
    site_columns = [c.name for c in models.CrawlRunSite.__table__.columns]
    rows = session.execute(
        select(models.CrawlRunSite, models.Site.slug)
        .join(models.Site, models.Site.id == models.CrawlRunSite.site_id)
        .where(models.CrawlRunSite.run_id == run_id)
        .order_by(models.Site.slug)
    )
    sites = [
        {"site": slug, **{name: getattr(row, name) for name in site_columns}} for row, slug in rows
    ]
    return {name: getattr(run, name) for name in columns}, sites
