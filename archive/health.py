"""Site health: is each site still being crawled, still publishing, still readable?

`python -m archive health` reads crawl_run_sites and articles and flags:
- broken: the site's last finished run failed, or most article pages it tried came out
  empty (not an article), or its lists yielded no article link at all although the
  archive holds articles of it: the layout probably changed. Exit status 3.
- silent: nothing published for longer than twice the site's usual gap (the 90th
  percentile of the gaps between its last 30 articles, at least a day).
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive import models
from archive.store import GONE_STATUSES

EMPTY_SHARE = 0.5
GAP_ARTICLES = 30
SILENT_FACTOR = 2.0


@dataclass
class SiteHealth:
    slug: str
    last_ok: str | None
    last_run: int | None
    last_status: str | None
    articles_7d: int
    articles_30d: int
    empty_share: float | None
    undated_share: float | None
    errors: int
    newest: str | None
    usual_gap_days: float | None
    flags: list[str] = field(default_factory=list)  # "broken: …", "silent: …"
    error_reasons: dict[str, int] = field(default_factory=dict)  # last run, most common first

    @property
    def broken(self) -> bool:
        return any(flag.startswith("broken") for flag in self.flags)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "broken": self.broken}


def usual_gap(published: list[datetime]) -> float | None:
    """The 90th percentile of the gaps between consecutive publications, in days."""
    ordered = sorted(published)
    gaps = [(b - a).total_seconds() / 86400 for a, b in itertools.pairwise(ordered)]
    if len(gaps) < 2:
        return None
    return max(1.0, statistics.quantiles(gaps, n=10)[-1])


def flags_for(
    row: models.CrawlRunSite | None,
    *,
    articles_held: int,
    newest: datetime | None,
    gap: float | None,
    now: datetime,
) -> list[str]:
    """The pure rules; `row` is the site's last finished run (None if it has none)."""
    flags = []
    if row is not None:
        stored = row.articles_new + row.articles_updated + row.articles_unchanged
        tried = stored + row.articles_empty
        if row.status == "failed":
            flags.append("broken: its last run failed")
        elif tried and row.articles_empty / tried >= EMPTY_SHARE:
            flags.append(f"broken: {row.articles_empty} of {tried} article pages came out empty")
        elif row.links_found == 0 and articles_held:
            flags.append("broken: its lists show no article links any more")
    if newest is not None and gap is not None:
        quiet = (now - newest).total_seconds() / 86400
        if quiet > SILENT_FACTOR * gap:
            flags.append(f"silent: nothing new for {quiet:.0f} days (usual gap {gap:.1f} days)")
    return flags


def _last_finished(session: Session, site_id: int) -> models.CrawlRunSite | None:
    return session.scalars(
        select(models.CrawlRunSite)
        .where(
            models.CrawlRunSite.site_id == site_id,
            models.CrawlRunSite.status.in_(("ok", "failed")),
        )
        .order_by(models.CrawlRunSite.run_id.desc())
        .limit(1)
    ).one_or_none()


def site_health(session: Session, now: datetime, slug: str | None = None) -> list[SiteHealth]:
    sites = select(models.Site).order_by(models.Site.slug)
    if slug is not None:
        sites = sites.where(models.Site.slug == slug)
    report = []
    for site in session.scalars(sites):
        row = _last_finished(session, site.id)
        last_ok = session.scalar(
            select(func.max(models.CrawlRun.finished_at))
            .join(models.CrawlRunSite, models.CrawlRunSite.run_id == models.CrawlRun.id)
            .where(models.CrawlRunSite.site_id == site.id, models.CrawlRunSite.status == "ok")
        )
        dates = [
            datetime.fromisoformat(text)
            for text in session.scalars(
                select(models.Article.published_at)
                .where(models.Article.site_id == site.id, models.Article.published_at.is_not(None))
                .order_by(models.Article.published_at.desc())
                .limit(GAP_ARTICLES)
            )
        ]
        held = session.scalar(select(func.count()).where(models.Article.site_id == site.id))
        gap = usual_gap(dates)
        newest = max(dates) if dates else None

        def since(days: int, site_id: int = site.id) -> int:
            bound = (now - timedelta(days=days)).isoformat(timespec="seconds")
            return (
                session.scalar(
                    select(func.count()).where(
                        models.Article.site_id == site_id, models.Article.published_at >= bound
                    )
                )
                or 0
            )

        reasons = (
            session.execute(
                select(models.Failure.reason, func.count())
                .where(
                    models.Failure.site_id == site.id,
                    models.Failure.run_id == row.run_id,
                    models.Failure.http_status.is_(None)
                    | models.Failure.http_status.not_in(GONE_STATUSES),  # dead links
                )
                .group_by(models.Failure.reason)
                .order_by(func.count().desc())
                .limit(5)
            ).all()
            if row
            else []
        )
        stored = (row.articles_new + row.articles_updated + row.articles_unchanged) if row else 0
        tried = stored + (row.articles_empty if row else 0)
        report.append(
            SiteHealth(
                slug=site.slug,
                last_ok=last_ok,
                last_run=row.run_id if row else None,
                last_status=row.status if row else None,
                articles_7d=since(7),
                articles_30d=since(30),
                empty_share=(row.articles_empty / tried) if row and tried else None,
                undated_share=(row.articles_undated / stored) if row and stored else None,
                errors=row.errors if row else 0,
                newest=newest.isoformat() if newest else None,
                usual_gap_days=gap,
                flags=flags_for(row, articles_held=held or 0, newest=newest, gap=gap, now=now),
                error_reasons={reason: count for reason, count in reasons},  # noqa: C416
            )
        )
    return report
